{
  description = "oxidy: typed environments in, Argo CD-ready manifests out";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = nixpkgs.legacyPackages.${system};
        oxidy = pkgs.rustPlatform.buildRustPackage {
          pname = "oxidy";
          version = "0.1.0";
          src = pkgs.lib.cleanSource ./.;
          cargoLock.lockFile = ./Cargo.lock;
          # The test suite runs in CI (.ci/run) with promtool and amtool available.
          doCheck = false;
        };
        # `nix run .#check` in CI: exits 1 with a diff when generated/ is stale.
        command = name: args: flake-utils.lib.mkApp {
          drv = pkgs.writeShellApplication {
            inherit name;
            # helm renders the charts vendored with `render: local` (found on PATH).
            runtimeInputs = [ oxidy pkgs.kubernetes-helm ];
            text = ''exec oxidy ${args} "$@"'';
          };
        };
      in
      {
        packages.default = oxidy;
        apps = {
          default = command "oxidy-render" "render";
          render = command "oxidy-render" "render";
          check = command "oxidy-check" "check";
        };
        devShells.default = pkgs.mkShell {
          packages = [ pkgs.cargo pkgs.rustc pkgs.clippy pkgs.rustfmt pkgs.prometheus pkgs.prometheus-alertmanager pkgs.kubernetes-helm ];
        };
      });
}
