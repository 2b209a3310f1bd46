// Package v1beta1 declares the VirtualMachineTemplate type as far as KubeVirt reads it: object metadata only.
package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// SchemeGroupVersion is template.kubevirt.io/v1beta1.
var SchemeGroupVersion = schema.GroupVersion{Group: "template.kubevirt.io", Version: "v1beta1"}

// VirtualMachineTemplate is a template object; KubeVirt reads none of its spec or status.
type VirtualMachineTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
}

// VirtualMachineTemplateList is a list of templates.
type VirtualMachineTemplateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []VirtualMachineTemplate `json:"items"`
}

// DeepCopyObject copies the template.
func (in *VirtualMachineTemplate) DeepCopyObject() runtime.Object {
	out := &VirtualMachineTemplate{TypeMeta: in.TypeMeta}
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	return out
}

// DeepCopyObject copies the list.
func (in *VirtualMachineTemplateList) DeepCopyObject() runtime.Object {
	out := &VirtualMachineTemplateList{TypeMeta: in.TypeMeta}
	in.ListMeta.DeepCopyInto(&out.ListMeta)
	for i := range in.Items {
		out.Items = append(out.Items, *in.Items[i].DeepCopyObject().(*VirtualMachineTemplate))
	}
	return out
}

// AddToScheme registers the types.
func AddToScheme(scheme *runtime.Scheme) error {
	scheme.AddKnownTypes(SchemeGroupVersion, &VirtualMachineTemplate{}, &VirtualMachineTemplateList{})
	metav1.AddToGroupVersion(scheme, SchemeGroupVersion)
	return nil
}
