package main

import (
	"context"
	"fmt"
	"time"

	k8sv1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	k8coresv1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"kubevirt.io/client-go/kubecli"
	"kubevirt.io/client-go/log"

	"kubevirt.io/kubevirt/pkg/storage/snapshot"
	virtconfig "kubevirt.io/kubevirt/pkg/virt-config"
)

// Threads and resync as virt-controller's defaults (pkg/virt-controller/watch/application.go).
const (
	snapshotThreads = 6
	restoreThreads  = 3
	snapshotResync  = 5 * time.Minute
)

// started is what the webhook needs from the controllers' side: the cluster config and the restore informer.
type started struct {
	clusterConfig   *virtconfig.ClusterConfig
	restoreInformer cache.SharedIndexInformer
}

// newRecorder is virt-controller's event recorder for one component.
func newRecorder(virtCli kubecli.KubevirtClient, component string) record.EventRecorder {
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&k8coresv1.EventSinkImpl{Interface: virtCli.CoreV1().Events(k8sv1.NamespaceAll)})
	return broadcaster.NewRecorder(scheme.Scheme, k8sv1.EventSource{Component: component})
}

// startControllers wires and starts the snapshot and restore controllers as virt-controller does
// (initCommon, initSnapshotController, initRestoreController, onStartedLeading), without CDI.
func startControllers(ctx context.Context, virtCli kubecli.KubevirtClient, namespace string) (*started, error) {
	stop := ctx.Done()
	factory := newInformerFactory(virtCli, namespace)
	crdInformer := factory.CRD()
	kubeVirtInformer := factory.KubeVirt()
	factory.Start(stop)
	if !cache.WaitForCacheSync(stop, crdInformer.HasSynced, kubeVirtInformer.HasSynced) {
		return nil, fmt.Errorf("CRD and KubeVirt informers did not sync")
	}
	clusterConfig, err := virtconfig.NewClusterConfig(crdInformer, kubeVirtInformer, namespace)
	if err != nil {
		return nil, err
	}
	vmInformer, vmiInformer := factory.VirtualMachine(), factory.VMI()
	pvcInformer, crInformer := factory.PersistentVolumeClaim(), factory.ControllerRevision()
	snapshotInformer, contentInformer := factory.VirtualMachineSnapshot(), factory.VirtualMachineSnapshotContent()
	restoreInformer, storageClassInformer := factory.VirtualMachineRestore(), factory.StorageClass()
	// No CDI on the ground: virt-controller then uses these placeholders.
	dataVolumeInformer, storageProfileInformer := factory.DummyDataVolume(), factory.DummyStorageProfile()

	snapshotController := &snapshot.VMSnapshotController{
		Client:                    virtCli,
		VMSnapshotInformer:        snapshotInformer,
		VMSnapshotContentInformer: contentInformer,
		VMInformer:                vmInformer,
		VMIInformer:               vmiInformer,
		StorageClassInformer:      storageClassInformer,
		StorageProfileInformer:    storageProfileInformer,
		PVCInformer:               pvcInformer,
		CRDInformer:               crdInformer,
		PodInformer:               factory.Pod(),
		DVInformer:                dataVolumeInformer,
		CRInformer:                crInformer,
		Recorder:                  newRecorder(virtCli, "snapshot-controller"),
		ResyncPeriod:              snapshotResync,
	}
	if err := snapshotController.Init(); err != nil {
		return nil, err
	}
	restoreController := &snapshot.VMRestoreController{
		Client:                    virtCli,
		VMRestoreInformer:         restoreInformer,
		VMSnapshotInformer:        snapshotInformer,
		VMSnapshotContentInformer: contentInformer,
		VMInformer:                vmInformer,
		VMIInformer:               vmiInformer,
		DataVolumeInformer:        dataVolumeInformer,
		PVCInformer:               pvcInformer,
		StorageClassInformer:      storageClassInformer,
		VolumeSnapshotProvider:    snapshotController,
		Recorder:                  newRecorder(virtCli, "restore-controller"),
		CRInformer:                crInformer,
	}
	if err := restoreController.Init(); err != nil {
		return nil, err
	}
	factory.Start(stop)
	log.Log.Infof("STARTING KubeVirt %s snapshot controller (%d threads) and restore controller (%d threads)",
		kubevirtVersion, snapshotThreads, restoreThreads)
	go func() {
		if err := snapshotController.Run(snapshotThreads, stop); err != nil {
			log.Log.Warningf("error running the snapshot controller: %v", err)
		}
	}()
	go func() {
		if err := restoreController.Run(restoreThreads, stop); err != nil {
			log.Log.Warningf("error running the restore controller: %v", err)
		}
	}()
	if !cache.WaitForCacheSync(stop, vmInformer.HasSynced, snapshotInformer.HasSynced, restoreInformer.HasSynced) {
		return nil, fmt.Errorf("informers did not sync")
	}
	return &started{clusterConfig: clusterConfig, restoreInformer: restoreInformer}, nil
}
