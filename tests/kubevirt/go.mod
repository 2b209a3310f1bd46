// Placeholder: every build names its KubeVirt version's module file with -modfile (versions/<version>.mod),
// because each KubeVirt version pins its own k8s.io modules. See build.sh.
module pulumi-kubevirt-snapshot/tests/kubevirt

go 1.26.0
