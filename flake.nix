{
  description = "oxidy: typed environments in, Argo CD-ready manifests out";

  # One input, pinned by flake.lock. nixos-26.05 is the supported stable release; its rustc
  # must meet Cargo.toml's rust-version, which evaluation asserts (see `package` below).
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forEachSystem = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});

      cargoToml = builtins.fromTOML (builtins.readFile ./Cargo.toml);
      rustVersion = cargoToml.workspace.package.rust-version;

      # What the build reads, and nothing else: an edit to env/, generated/, dashboards/, the
      # README or the tests leaves the package's source, and so the package, unchanged.
      # benches/ is in because Cargo.toml declares the `render` bench and Cargo reads every
      # declared target's file when it loads the manifest.
      buildFiles = [ "Cargo.toml" "Cargo.lock" ];
      buildFolders = [ "src" "modules" "benches" ];
      relative = path: builtins.substring (builtins.stringLength (toString ./.) + 1) (-1) (toString path);
      under = folder: rel: builtins.substring 0 (builtins.stringLength folder + 1) rel == "${folder}/";
      keep = path: _type:
        let rel = relative path;
        in builtins.elem rel (buildFiles ++ buildFolders) || builtins.any (folder: under folder rel) buildFolders;
      source = builtins.path { name = "oxidy-source"; path = ./.; filter = keep; };

      package = pkgs:
        if builtins.compareVersions pkgs.rustc.version rustVersion < 0 then
          throw "oxidy needs rustc ${rustVersion} or newer (Cargo.toml rust-version); this nixpkgs has ${pkgs.rustc.version}"
        else
          pkgs.rustPlatform.buildRustPackage {
            pname = "oxidy";
            inherit (cargoToml.workspace.package) version;
            src = source;
            cargoLock.lockFile = ./Cargo.lock;
            # Completions and man pages, from the built program itself (what `oxidy
            # completions` and `oxidy man` print); skipped when cross-compiling.
            nativeBuildInputs = [ pkgs.installShellFiles ];
            postInstall = pkgs.lib.optionalString (pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform) ''
              for shell in bash fish zsh; do
                $out/bin/oxidy completions $shell > oxidy.$shell
              done
              installShellCompletion oxidy.bash oxidy.fish oxidy.zsh
              $out/bin/oxidy man > oxidy.1
              for command in $($out/bin/oxidy --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && $1 != "help" { print $1 }'); do
                $out/bin/oxidy man "$command" > "oxidy-$command.1"
              done
              installManPage oxidy*.1
            '';
            # The test suite runs the real programs it checks the output with (promtool,
            # amtool, Garage, the collectors...), built by .ci/tools: `.ci/test` runs it.
            doCheck = false;
            meta = {
              description = cargoToml.package.description;
              license = pkgs.lib.licenses.asl20;
              mainProgram = "oxidy";
            };
          };

      # Helm renders the charts an env vendors with `render: local`; oxidy finds it on PATH.
      runtimeInputs = pkgs: [ (package pkgs) pkgs.kubernetes-helm ];

      # `nix run .#NAME -- ARGS`: `oxidy COMMAND ARGS` in the current folder.
      command = pkgs: name: description:
        let
          script = pkgs.writeShellApplication {
            name = "oxidy-${name}";
            runtimeInputs = runtimeInputs pkgs;
            text = ''exec oxidy ${name} "$@"'';
          };
        in
        {
          type = "app";
          program = "${script}/bin/oxidy-${name}";
          meta.description = description;
        };
    in
    {
      packages = forEachSystem (pkgs: {
        oxidy = package pkgs;
        default = package pkgs;
      });

      apps = forEachSystem (pkgs: {
        default = {
          type = "app";
          program = "${package pkgs}/bin/oxidy";
          meta.description = "oxidy itself: nix run . -- COMMAND";
        };
        render = command pkgs "render" "Render environments into generated/<env>/";
        check = command pkgs "check" "Exit 1 with a diff when generated/ is not what the envs render";
        diff = command pkgs "diff" "What a render would change against the committed tree";
      });

      # `nix flake check` fails when the committed generated/ is stale: the check renders the
      # whole flake source (env/, dashboards/, rules/, generated/...) in memory and compares.
      checks = forEachSystem (pkgs: {
        drift = pkgs.runCommand "oxidy-drift" { nativeBuildInputs = runtimeInputs pkgs; } ''
          cp -r ${self} project
          chmod -R u+w project
          oxidy --root project check
          touch $out
        '';
      });

      # Every program the tests and the CI scripts use. The tests run the versions .ci/programs
      # pins, which `.ci/tools` builds with this Go; the ones here serve by hand and for PATH.
      devShells = forEachSystem (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.rustc
            pkgs.cargo
            pkgs.clippy
            pkgs.rustfmt
            pkgs.go
            pkgs.python3
            (pkgs.garage_2 or pkgs.garage)
            pkgs.kubernetes-helm
            pkgs.prometheus
            pkgs.prometheus-alertmanager
            pkgs.prometheus-node-exporter
            pkgs.opentelemetry-collector-builder
            pkgs.nix
            pkgs.git
          ];
        };
      });
    };
}
