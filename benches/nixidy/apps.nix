# nixidy's pure evaluation of `n` apps shaped like the benchmark's own apps (benches/render.rs,
# `Envs::Apps`): each app deploys into a namespace of its own a ConfigMap `settings`, a Service
# `web` and a default-deny NetworkPolicy, and gets an Argo CD Application in the app-of-apps.
#
# The result is nixidy's layout of the environment: for every output file, its path and the
# manifests it holds, as JSON (`nix-instantiate --eval --strict --json`). Writing YAML is left
# out: nixidy does that in a build (`yq` in a derivation), not in evaluation.
#
# The inputs are checkouts at the revisions in benches/nixidy/pins, outside the repository:
#   nixidy          arnarg/nixidy
#   nixpkgsLib      nixpkgs' `lib/` (nix-community/nixpkgs.lib)
#   kubeGenerators  farcaller/nix-kube-generators
# nixidy takes `pkgs` only for its build derivations (yq, linkFarm, kubectl), which evaluation
# never reaches; it is given nixpkgs' lib alone, as `pkgs.lib`.
{
  n,
  nixidy,
  nixpkgsLib,
  kubeGenerators,
}:
let
  lib = import (nixpkgsLib + "/lib");
  pkgs = { inherit lib; };
  # The flake output `nix-kube-generators.lib`, as nixidy's flake passes it.
  kubelib = (import (kubeGenerators + "/flake.nix")).outputs { self = kubelib; };
  inherit (import (nixidy + "/make-env.nix") { inherit kubelib; }) mkEnv;

  name = i: "app-" + lib.fixedWidthNumber 4 i;

  app = i: {
    namespace = name i;
    annotations."argocd.argoproj.io/sync-wave" = "50";
    finalizer = "foreground";
    syncPolicy = {
      autoSync = {
        enable = true;
        prune = true;
        selfHeal = true;
      };
      syncOptions = {
        createNamespace = true;
        pruneLast = true;
      };
      retry = {
        limit = 5;
        backoff = {
          duration = "5s";
          factor = 2;
          maxDuration = "3m";
        };
      };
    };
    resources = {
      configMaps.settings.data.greeting = "hello";
      services.web.spec = {
        selector.app = "web";
        ports = [
          {
            name = "http";
            port = 80;
            targetPort = 8080;
          }
        ];
      };
      networkPolicies.default-deny.spec = {
        podSelector = { };
        policyTypes = [
          "Ingress"
          "Egress"
        ];
      };
    };
  };

  env = mkEnv {
    inherit pkgs lib;
    modules = [
      {
        nixidy.env = "staging";
        nixidy.target = {
          repository = "https://git.example.com/platform/observability.git";
          branch = "main";
          rootPath = "./generated/staging";
        };
        applications = lib.listToAttrs (
          map (i: lib.nameValuePair (name i) (app i)) (lib.range 0 (n - 1))
        );
      }
    ];
  };

  inherit (env) config;

  # nixidy refuses to build an environment whose assertions fail (modules/default.nix); the
  # layout alone does not check them, so check them here the same way.
  failed = lib.filter (a: !a.assertion) (
    config.nixidy.assertions
    ++ lib.concatMap (a: config.applications.${a}.assertions) (lib.attrNames config.applications)
  );

  files = lib.concatMap (
    specs:
    map (spec: {
      inherit (spec) path;
      manifests = spec.source.rendered;
    }) specs
  ) (lib.attrValues config.build.layout);
in
lib.throwIf (failed != [ ]) (
  "nixidy assertions failed: " + lib.concatMapStringsSep "; " (a: a.message) failed
) files
