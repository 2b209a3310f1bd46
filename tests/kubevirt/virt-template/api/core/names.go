// Package core holds the names of the template.kubevirt.io API that KubeVirt refers to.
package core

const (
	// GroupName is the API group of VirtualMachineTemplates.
	GroupName = "template.kubevirt.io"
	// PluralResourceName is the resource name in URLs.
	PluralResourceName = "virtualmachinetemplates"
	// SingularResourceName names KubeVirt's export index.
	SingularResourceName = "virtualmachinetemplate"
)
