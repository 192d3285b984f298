//! Helm charts of own apps: rendered by Argo CD (a Helm source in the Application) or by oxidy
//! through the real, pinned `helm template` (`render: local`) on a chart the test writes
//! itself; every bad input refused with its place named, exit code 2 and nothing written.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{Run, project_tree, refused_in, tree_text};

/// oxidy with `OXIDY_HELM` set to `helm`.
fn oxidy(root: &Path, args: &[&str], helm: &Path) -> Run {
    common::oxidy_with(root, args, &[("OXIDY_HELM", helm.as_os_str())])
}

/// The pinned helm; the test fails, saying how to install it, when it is missing.
fn helm() -> PathBuf {
    common::programs::program("helm")
}

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// A small chart of the test's own at `<project>/env/charts/web`: a Deployment and a Service
/// from values (neither names a namespace), a ConfigMap telling what helm was told, a
/// ServiceMonitor only if the cluster serves monitoring.coreos.com/v1, a CRD in `crds/` and a
/// test hook that must be left out.
fn write_chart(project: &Path) {
    let chart = "env/charts/web";
    write(
        &project.join(chart),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: \"1.27.3\"\n"),
            (
                "values.yaml",
                "replicas: 1\nimage:\n  repository: nginxinc/nginx-unprivileged\n  tag: \"1.27.3\"\n\
                 message: from the chart\nfromFile: none\nextraContainerField: {}\n",
            ),
            (
                "templates/deployment.yaml",
                r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 10101, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /, port: http}}
          livenessProbe: {httpGet: {path: /, port: http}}
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          {{- with .Values.extraContainerField }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
"#,
            ),
            (
                "templates/service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  \
                 selector: {app: {{ .Release.Name }}}\n  ports: [{name: http, port: 80, targetPort: http}]\n",
            ),
            (
                "templates/told.yaml",
                r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-told
  namespace: {{ .Release.Namespace }}
data:
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  serviceMonitors: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" | quote }}
  message: {{ .Values.message | quote }}
  fromFile: {{ .Values.fromFile | quote }}
"#,
            ),
            (
                "templates/servicemonitor.yaml",
                r#"{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  endpoints: [{port: http}]
{{- end }}
"#,
            ),
            (
                "templates/tests/connection.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-test\n  annotations:\n    \
                 helm.sh/hook: test\nspec:\n  containers: [{name: wget, image: busybox:1.37}]\n",
            ),
            (
                "crds/widgets.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  \
                 name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: \
                 {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}\n  versions:\n    \
                 - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema: \
                 {type: object, x-kubernetes-preserve-unknown-fields: true}\n",
            ),
        ],
    );
}

#[test]
fn a_vendored_chart_is_rendered_by_the_real_helm_and_checked_like_any_object() {
    let dir = project_tree("helm/local");
    write_chart(dir.path());
    let run = oxidy(dir.path(), &["render"], &helm());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let web = dir.path().join("generated/local/web");
    insta::assert_snapshot!("local-chart", tree_text(&web));

    let read = |f: &str| -> serde_json::Value {
        serde_saphyr::from_str(&fs::read_to_string(web.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))).unwrap()
    };
    let told = read("ConfigMap-shop-web-told.yaml");
    assert_eq!(told["data"]["kubeVersion"], "v1.33.0", "--kube-version is the pinned Kubernetes version");
    assert_eq!(told["data"]["serviceMonitors"], "true", "--api-versions names the platform's custom resources");
    assert_eq!(told["data"]["fromFile"], "local", "values files merge in order");
    assert_eq!(told["data"]["message"], "from the env file", "values go over the values files");
    let deployment = read("Deployment-shop-web.yaml");
    assert_eq!(deployment["metadata"]["namespace"], "web", "a namespaced object gets the app's namespace");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["containers"][0]["image"], "nginxinc/nginx-unprivileged:1.27.2", "maps merge key by key");
    assert_eq!(pod["nodeSelector"]["example.com/pool"], "web", "overrides apply to chart objects");
    assert_eq!(deployment["metadata"]["labels"]["example.com/team"], "shop", "common labels too");
    assert!(web.join("ServiceMonitor-shop-web.yaml").exists());
    assert!(web.join("CustomResourceDefinition-widgets.example.com.yaml").exists(), "CRDs are included");
    assert!(!web.join("Pod-shop-web-test.yaml").exists(), "test hooks are left out");

    let project = fs::read_to_string(dir.path().join("generated/local/apps/AppProject-oxidy-local.yaml")).unwrap();
    assert!(project.contains("kind: CustomResourceDefinition") && project.contains("namespace: web"), "{project}");
    let check = oxidy(dir.path(), &["check"], &helm());
    assert_eq!(check.code, 0, "the same chart renders the same bytes:\n{}{}", check.stdout, check.stderr);
}

#[test]
fn a_packaged_chart_renders_like_its_folder() {
    let dir = project_tree("helm/local");
    write_chart(dir.path());
    let (ok, text) = common::programs::run(
        &helm(),
        &[
            "package",
            &dir.path().join("env/charts/web").display().to_string(),
            "--destination",
            &dir.path().join("env/charts").display().to_string(),
        ],
    );
    assert!(ok, "helm package: {text}");
    fs::remove_dir_all(dir.path().join("env/charts/web")).unwrap();
    let env = dir.path().join("env/local.yaml");
    let text = fs::read_to_string(&env).unwrap().replace("chart: charts/web ", "chart: charts/web-1.0.0.tgz ");
    fs::write(&env, text).unwrap();
    let run = oxidy(dir.path(), &["render"], &helm());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let deployment = fs::read_to_string(dir.path().join("generated/local/web/Deployment-shop-web.yaml")).unwrap();
    assert!(deployment.contains("image: nginxinc/nginx-unprivileged:1.27.2"), "{deployment}");
}

#[test]
fn argocd_renders_charts_from_their_repositories() {
    let dir = project_tree("helm/argocd");
    // No helm is needed when Argo CD renders every chart.
    let run = oxidy(dir.path(), &["render"], Path::new("/nonexistent/helm"));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let apps = dir.path().join("generated/local/apps");
    let read = |f: &str| fs::read_to_string(apps.join(f)).unwrap();
    insta::assert_snapshot!("argocd-single-source", read("Application-ingress.yaml"));
    insta::assert_snapshot!("argocd-multi-source", read("Application-cache.yaml"));
    insta::assert_snapshot!("argocd-project", read("AppProject-oxidy-local.yaml"));
    assert!(!dir.path().join("generated/local/ingress").exists(), "Argo CD renders it: no files of its own");
    assert!(dir.path().join("generated/local/cache/ConfigMap-cache-clients.yaml").exists());
}

/// Renders the fixture project (with the chart written into it) and returns the message;
/// `check` must fail the same way and nothing on disk may change.
fn refused(fixture: &str, helm: &Path) -> String {
    let dir = project_tree(&format!("helm/errors/{fixture}"));
    write_chart(dir.path());
    write(
        &dir.path().join("env/charts/broken"),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: broken\nversion: 0.1.0\n"),
            (
                "templates/configmap.yaml",
                "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: {{ .Values.x | nosuchfunction }}\n",
            ),
        ],
    );
    refused_in(dir.path(), &[("OXIDY_HELM", helm.as_os_str())])
}

macro_rules! error_case {
    ($test:ident, $fixture:literal) => {
        #[test]
        fn $test() {
            insta::assert_snapshot!(refused($fixture, &helm()));
        }
    };
}

error_case!(a_version_range_is_refused_with_a_pin, "version-range");
error_case!(helm_failing_on_a_broken_chart_shows_its_message, "broken-chart");
error_case!(a_missing_chart_path, "missing-chart");
error_case!(a_chart_outside_the_repository, "outside-repo");
error_case!(an_unknown_helm_key_suggests_the_nearest, "unknown-key");
error_case!(a_kind_in_the_wrong_group_names_its_group, "kind-in-wrong-group");
error_case!(an_invalid_object_from_a_chart_names_its_template, "invalid-object-in-chart");

#[test]
fn a_missing_helm_binary_says_how_to_install_it() {
    insta::assert_snapshot!(refused("missing-helm", Path::new("/nonexistent/helm")));
}

#[test]
fn the_engine_names_the_pinned_helm() {
    assert_eq!(oxidy::helm::PINNED_HELM, common::programs::version("helm"), "src/helm.rs and .ci/programs agree");
    let (ok, text) = common::programs::run(&helm(), &["version", "--short"]);
    assert!(ok && text.starts_with(oxidy::helm::PINNED_HELM), "{text}");
}
