"""Everyday storage with NetApp's own client (netapp_ontap.resources), unchanged: create, read,
modify and delete of volumes, snapshots, qtrees, export policies, igroups and LUNs, against the
emulator's engine and its fresh cluster (aggr1, svm1). Called by drive.py with its `check`."""

from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import ExportPolicy, Igroup, Lun, Qtree, Snapshot, Volume

GIB = 1 << 30


def run(check):
    vol = Volume(name="py_vol", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}], size=GIB)
    vol.post(poll=True, poll_interval=0.2)
    check(vol.uuid is not None, "Volume.post (a job, polled)")
    vol = Volume(uuid=vol.uuid)
    vol.get()
    check(vol.name == "py_vol" and vol.space.size == GIB, "Volume.get: size as space.size")
    vol.comment = "from netapp_ontap"
    vol.size = 2 * GIB
    vol.patch(poll=True, poll_interval=0.2)
    again = Volume(uuid=vol.uuid)
    again.get(fields="comment,space.size")
    check(again.comment == "from netapp_ontap" and again.space.size == 2 * GIB, "Volume.patch: comment, resize")
    try:
        Volume(name="py_huge", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}], size=2048 * GIB).post(poll=True)
        check(False, "a volume larger than its aggregate refused")
    except NetAppRestError as err:
        check("not enough space" in str(err), "a volume larger than its aggregate refused")

    snap = Snapshot(vol.uuid, name="py_snap", comment="first")
    snap.post(poll=True, poll_interval=0.2)
    snap = Snapshot(vol.uuid, uuid=snap.uuid)
    snap.get()
    check(snap.name == "py_snap" and snap.comment == "first", "Snapshot.post, get")
    snap.comment = "second"
    snap.patch(poll=True, poll_interval=0.2)
    snap.get(fields="comment")
    check(snap.comment == "second", "Snapshot.patch")
    snap.delete(poll=True, poll_interval=0.2)
    check(Snapshot.count_collection(vol.uuid, name="py_snap") == 0, "Snapshot.delete")

    qtree = Qtree(name="py_qt", volume={"name": "py_vol"}, svm={"name": "svm1"}, security_style="unix")
    qtree.post(poll=True, poll_interval=0.2)
    found = list(Qtree.get_collection(**{"volume.uuid": vol.uuid, "name": "py_qt"}))
    check(len(found) == 1, "Qtree.post, found by name")
    qtree = found[0]
    qtree.get()
    qtree.security_style = "ntfs"
    qtree.patch(poll=True, poll_interval=0.2)
    qtree.get(fields="security_style")
    check(qtree.security_style == "ntfs", "Qtree.patch")
    qtree.delete(poll=True, poll_interval=0.2)
    check(Qtree.count_collection(**{"volume.uuid": vol.uuid, "name": "py_qt"}) == 0, "Qtree.delete")

    defaults = list(ExportPolicy.get_collection(name="default"))
    check(len(defaults) == 2, "each SVM's default export policy")
    policy = ExportPolicy(name="py_exp", svm={"name": "svm1"})
    policy.post()
    policy.get()
    policy.name = "py_exp2"
    policy.patch()
    check(ExportPolicy.count_collection(name="py_exp2") == 1, "ExportPolicy.post, patch (rename)")
    policy.delete()
    check(ExportPolicy.count_collection(name="py_exp2") == 0, "ExportPolicy.delete")

    igroup = Igroup(name="py_ig", svm={"name": "svm1"}, os_type="linux", protocol="iscsi")
    igroup.post()
    igroup.get()
    igroup.os_type = "windows"
    igroup.patch()
    igroup.get(fields="os_type")
    check(igroup.os_type == "windows", "Igroup.post, get, patch")

    lun = Lun(name="/vol/py_vol/py_lun", svm={"name": "svm1"}, os_type="linux", space={"size": GIB // 4})
    lun.post(poll=True, poll_interval=0.2)
    lun.get()
    lun.comment = "data"
    lun.patch()
    lun.get(fields="comment")
    check(lun.comment == "data", "Lun.post, get, patch")
    lun.delete()
    igroup.delete()
    check(Lun.count_collection(name="/vol/py_vol/py_lun") == 0 and Igroup.count_collection(name="py_ig") == 0,
          "Lun.delete, Igroup.delete")

    vol.delete(poll=True, poll_interval=0.2)
    check(Volume.count_collection(name="py_vol") == 0, "Volume.delete")
