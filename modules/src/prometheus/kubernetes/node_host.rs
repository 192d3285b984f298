//! Hosts, from node-exporter: filesystems (now and predicted), memory, CPU, clocks, network
//! errors, conntrack, disks, RAID, bonds and systemd units.

use crate::contract::alerts::{AlertRule, RuleSet, Severity, Severity::*, alert};

/// Real filesystems: the ones a node writes to and can fill.
const FS: &str = r#"fstype!="", mountpoint!="", fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs""#;
const FS_LABELS: &[(&str, &str)] =
    &[("instance", "a"), ("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", "/")];

fn fs_series(metric: &'static str) -> &'static str {
    match metric {
        "avail" => r#"node_filesystem_avail_bytes{instance="a", device="/dev/sda1", fstype="ext4", mountpoint="/"}"#,
        "size" => r#"node_filesystem_size_bytes{instance="a", device="/dev/sda1", fstype="ext4", mountpoint="/"}"#,
        "files_free" => {
            r#"node_filesystem_files_free{instance="a", device="/dev/sda1", fstype="ext4", mountpoint="/"}"#
        }
        "files" => r#"node_filesystem_files{instance="a", device="/dev/sda1", fstype="ext4", mountpoint="/"}"#,
        _ => r#"node_filesystem_readonly{instance="a", device="/dev/sda1", fstype="ext4", mountpoint="/"}"#,
    }
}

/// A filesystem with less than `percent` of `free` left (and, with `hours`, filling within
/// them at the rate of the last six hours), not read-only.
fn fs_alert(
    name: &'static str,
    severity: Severity,
    (free, total): (&'static str, &'static str),
    percent: u32,
    hours: Option<u32>,
) -> AlertRule {
    let prediction =
        hours.map(|h| format!(" and predict_linear({free}{{{FS}}}[6h], {h} * 3600) < 0")).unwrap_or_default();
    let expr = format!(
        "({free}{{{FS}}} / {total}{{{FS}}} * 100 < {percent}{prediction}) and {readonly}{{{FS}}} == 0",
        readonly = "node_filesystem_readonly"
    );
    let (f, t) = if free.ends_with("bytes") { ("avail", "size") } else { ("files_free", "files") };
    let (firing, healthy, total_value) = match hours {
        Some(_) => ("1400-5", "5000", "10000"),
        None => ("100", "5000", "10000"),
    };
    // The test series are bad enough for both severities of the alert.
    let other = if severity == Warning { Critical } else { Warning };
    alert(name, severity, if hours.is_some() { "1h" } else { "30m" }, expr)
        .test(
            &[
                (fs_series(f), firing, healthy),
                (fs_series(t), total_value, total_value),
                (fs_series("readonly"), "0", "0"),
            ],
            FS_LABELS,
        )
        .also_fires(other, FS_LABELS)
}

pub(crate) fn node_host() -> RuleSet {
    let space = ("node_filesystem_avail_bytes", "node_filesystem_size_bytes");
    let files = ("node_filesystem_files_free", "node_filesystem_files");
    let a = &[("instance", "a")];
    RuleSet {
        name: "node-exporter",
        records: vec![],
        alerts: vec![
            fs_alert("NodeFilesystemSpaceFillingUp", Warning, space, 20, Some(24))
                .about("A filesystem will fill within a day", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 20% space left and fills within 24 hours at its current rate.")
                .runbook("Writes on the node will fail within a day: pods are evicted, logs lost.", "The node dashboard's disk panels; `du -xh --max-depth=2 <mountpoint>` on the node.", "Delete unused images (`crictl rmi --prune`), logs or data, or grow the disk."),
            fs_alert("NodeFilesystemSpaceFillingUp", Critical, space, 10, Some(4))
                .about("A filesystem will fill within four hours", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 10% space left and fills within 4 hours at its current rate.")
                .runbook("Writes on the node will fail within hours: pods are evicted, logs lost.", "`du -xh --max-depth=2 <mountpoint>` on the node to find what grows.", "Stop what is writing, delete unused images or logs, or grow the disk now."),
            fs_alert("NodeFilesystemAlmostOutOfSpace", Warning, space, 5, None)
                .about("A filesystem has less than 5% space left", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 5% space left.")
                .runbook("The kubelet starts evicting pods and garbage-collecting images soon.", "`df -h` and `du -xh --max-depth=2 <mountpoint>` on the node.", "Delete unused images, logs or data, or grow the disk."),
            fs_alert("NodeFilesystemAlmostOutOfSpace", Critical, space, 3, None)
                .about("A filesystem has less than 3% space left", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 3% space left.")
                .runbook("Writes fail any moment; the kubelet is evicting pods.", "`df -h` and `du -xh --max-depth=2 <mountpoint>` on the node.", "Free space now: delete unused images and old logs, or grow the disk."),
            fs_alert("NodeFilesystemFilesFillingUp", Warning, files, 20, Some(24))
                .about("A filesystem will run out of inodes within a day", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 20% of its inodes free and runs out within 24 hours.")
                .runbook("File creation on the node will fail within a day.", "`df -i`; find directories with many small files (`find <mountpoint> -xdev -type f | cut -d/ -f2-3 | sort | uniq -c | sort -n`).", "Delete the small files, or recreate the filesystem with more inodes."),
            fs_alert("NodeFilesystemFilesFillingUp", Critical, files, 10, Some(4))
                .about("A filesystem will run out of inodes within four hours", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 10% of its inodes free and runs out within 4 hours.")
                .runbook("File creation on the node will fail within hours.", "`df -i` and find what creates many files.", "Stop what creates the files and delete them."),
            fs_alert("NodeFilesystemAlmostOutOfFiles", Warning, files, 5, None)
                .about("A filesystem has less than 5% inodes left", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 5% of its inodes free.")
                .runbook("File creation on the node will fail soon.", "`df -i` on the node.", "Delete many small files, such as old container logs."),
            fs_alert("NodeFilesystemAlmostOutOfFiles", Critical, files, 3, None)
                .about("A filesystem has less than 3% inodes left", "Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has less than 3% of its inodes free.")
                .runbook("File creation on the node fails any moment.", "`df -i` on the node.", "Delete many small files now."),
            alert("NodeMemoryHighUtilization", Warning, "15m", "100 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) > 90")
                .about("A node is running out of memory", "Node {{ $labels.instance }} has less than 10% of its memory available.")
                .runbook("The kernel will kill processes (OOM) and the kubelet evict pods.", "The node dashboard's memory panel; `kubectl top pods -A --sort-by=memory` for the node's pods.", "Move or limit the largest consumers, or add memory.")
                .test(&[(r#"node_memory_MemAvailable_bytes{instance="a"}"#, "5", "50"), (r#"node_memory_MemTotal_bytes{instance="a"}"#, "100", "100")], a),
            alert("NodeMemoryMajorPagesFaults", Warning, "15m", "rate(node_vmstat_pgmajfault[5m]) > 500")
                .about("A node pages memory from disk heavily", "Node {{ $labels.instance }} has more than 500 major page faults per second: it is short of memory.")
                .runbook("Everything on the node slows down as memory is read back from disk.", "The node dashboard's memory and disk panels.", "Relieve the node's memory: move workloads, lower limits, or add memory.")
                .test(&[(r#"node_vmstat_pgmajfault{instance="a"}"#, "0+60000", "0+60")], a),
            alert("NodeCPUHighUsage", Info, "15m", r#"sum without (mode) (avg without (cpu) (rate(node_cpu_seconds_total{mode!~"idle|iowait"}[2m]))) * 100 > 90"#)
                .about("A node's CPU is busy", "Node {{ $labels.instance }} has used more than 90% of its CPU for 15 minutes.")
                .runbook("Pods on the node get less CPU than they request beyond their guarantees; latency rises.", "`kubectl top pods -A` for the node's pods, the node dashboard's CPU panel.", "Spread the load: more replicas on other nodes, or more nodes.")
                .test(&[(r#"node_cpu_seconds_total{instance="a", cpu="0", mode="user"}"#, "0+57", "0+6"), (r#"node_cpu_seconds_total{instance="a", cpu="0", mode="idle"}"#, "0+3", "0+54")], a),
            alert("NodeSystemSaturation", Warning, "15m", r#"node_load1 / on (instance) count by (instance) (node_cpu_seconds_total{mode="idle"}) > 2"#)
                .about("A node is overloaded", "Node {{ $labels.instance }} has a load of more than two runnable tasks per CPU.")
                .runbook("Work queues on the node; everything on it slows down.", "`top` on the node: CPU-bound processes or many tasks waiting on disk (state D).", "Move workloads away or add capacity; look at disk I/O if the load is I/O wait.")
                .test(&[(r#"node_load1{instance="a"}"#, "5", "1"), (r#"node_cpu_seconds_total{instance="a", cpu="0", mode="idle"}"#, "0+30", "0+30")], a),
            alert("NodeClockSkewDetected", Warning, "10m", "(node_timex_offset_seconds > 0.05 and deriv(node_timex_offset_seconds[5m]) >= 0) or (node_timex_offset_seconds < -0.05 and deriv(node_timex_offset_seconds[5m]) <= 0)")
                .about("A node's clock is off", "The clock of node {{ $labels.instance }} is more than 50 ms off and not converging.")
                .runbook("Certificates, leases and metrics timestamps go wrong; distributed systems misbehave.", "`timedatectl` and `chronyc tracking` (or `ntpq -p`) on the node.", "Make sure the node's NTP service runs and reaches its servers.")
                .test(&[(r#"node_timex_offset_seconds{instance="a"}"#, "0.1", "0.001")], a),
            alert("NodeClockNotSynchronising", Warning, "10m", "min_over_time(node_timex_sync_status[5m]) == 0 and node_timex_maxerror_seconds >= 16")
                .about("A node's clock is not synchronising", "The clock of node {{ $labels.instance }} is not synchronised with NTP.")
                .runbook("The clock drifts; certificates and leases break once it is far off.", "`timedatectl` and `chronyc sources` on the node.", "Start and fix the NTP service (chronyd, systemd-timesyncd) and its network access.")
                .test(&[(r#"node_timex_sync_status{instance="a"}"#, "0", "1"), (r#"node_timex_maxerror_seconds{instance="a"}"#, "16", "0.1")], a),
            alert("NodeNetworkReceiveErrs", Warning, "1h", "rate(node_network_receive_errs_total[2m]) / rate(node_network_receive_packets_total[2m]) > 0.01")
                .about("A network interface receives with errors", "Interface {{ $labels.device }} of node {{ $labels.instance }} has receive errors on more than 1% of its packets.")
                .runbook("Packets are dropped and retransmitted; connections slow down.", "`ip -s link show <device>` and `ethtool -S <device>` on the node.", "Replace the cable or NIC, or fix the driver or MTU mismatch.")
                .test(&[(r#"node_network_receive_errs_total{instance="a", device="eth0"}"#, "0+10", "0"), (r#"node_network_receive_packets_total{instance="a", device="eth0"}"#, "0+100", "0+100")], &[("instance", "a"), ("device", "eth0")]),
            alert("NodeNetworkTransmitErrs", Warning, "1h", "rate(node_network_transmit_errs_total[2m]) / rate(node_network_transmit_packets_total[2m]) > 0.01")
                .about("A network interface transmits with errors", "Interface {{ $labels.device }} of node {{ $labels.instance }} has transmit errors on more than 1% of its packets.")
                .runbook("Packets are dropped and retransmitted; connections slow down.", "`ip -s link show <device>` and `ethtool -S <device>` on the node.", "Replace the cable or NIC, or fix the driver or MTU mismatch.")
                .test(&[(r#"node_network_transmit_errs_total{instance="a", device="eth0"}"#, "0+10", "0"), (r#"node_network_transmit_packets_total{instance="a", device="eth0"}"#, "0+100", "0+100")], &[("instance", "a"), ("device", "eth0")]),
            alert("NodeHighNumberConntrackEntriesUsed", Warning, "15m", "node_nf_conntrack_entries / node_nf_conntrack_entries_limit > 0.75")
                .about("A node's connection-tracking table is filling", "Node {{ $labels.instance }} uses more than 75% of its conntrack entries.")
                .runbook("When the table is full, new connections are dropped.", "`conntrack -C` and `sysctl net.netfilter.nf_conntrack_max` on the node.", "Raise `nf_conntrack_max` (kube-proxy's `conntrack.maxPerCore`) or find the connection leak.")
                .test(&[(r#"node_nf_conntrack_entries{instance="a"}"#, "80", "10"), (r#"node_nf_conntrack_entries_limit{instance="a"}"#, "100", "100")], a),
            alert("NodeTextFileCollectorScrapeError", Warning, "15m", "node_textfile_scrape_error == 1")
                .about("node-exporter cannot read its text files", "node-exporter on {{ $labels.instance }} failed to read a file of its textfile collector.")
                .runbook("Metrics written by node-local scripts are missing.", "node-exporter's logs name the file.", "Fix the script that writes the malformed file.")
                .test(&[(r#"node_textfile_scrape_error{instance="a"}"#, "1", "0")], a),
            alert("NodeRAIDDegraded", Critical, "15m", r#"node_md_disks_required{device=~"md.+"} - ignoring (state) (node_md_disks{device=~"md.+", state="active"}) > 0"#)
                .about("A RAID array is degraded", "RAID array {{ $labels.device }} on {{ $labels.instance }} runs with fewer active disks than it needs.")
                .runbook("One more disk failure loses the array's data.", "`cat /proc/mdstat` and `mdadm --detail /dev/<device>` on the node.", "Replace the failed disk and let the array rebuild.")
                .test(&[(r#"node_md_disks_required{instance="a", device="md0"}"#, "2", "2"), (r#"node_md_disks{instance="a", device="md0", state="active"}"#, "1", "2")], &[("instance", "a"), ("device", "md0")]),
            alert("NodeRAIDDiskFailure", Warning, "0s", r#"node_md_disks{device=~"md.+", state="failed"} > 0"#)
                .about("A RAID array has a failed disk", "RAID array {{ $labels.device }} on {{ $labels.instance }} has a failed disk.")
                .runbook("The array runs with less redundancy.", "`mdadm --detail /dev/<device>` on the node.", "Replace the failed disk.")
                .test(&[(r#"node_md_disks{instance="a", device="md0", state="failed"}"#, "1", "0")], &[("instance", "a"), ("device", "md0"), ("state", "failed")]),
            alert("NodeDiskIOSaturation", Warning, "30m", r#"rate(node_disk_io_time_weighted_seconds_total{device=~"(/dev/)?(mmcblk.p.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|md.+|dasd.+)"}[5m]) > 10"#)
                .about("A disk is saturated", "Disk {{ $labels.device }} of node {{ $labels.instance }} has more than 10 requests queued on average.")
                .runbook("Everything that reads or writes on the disk is slow.", "`iostat -x 5` on the node; the node dashboard's disk panels.", "Move I/O-heavy workloads elsewhere or use faster disks.")
                .test(&[(r#"node_disk_io_time_weighted_seconds_total{instance="a", device="sda"}"#, "0+900", "0+6")], &[("instance", "a"), ("device", "sda")]),
            alert("NodeSystemdServiceFailed", Warning, "5m", r#"node_systemd_unit_state{state="failed"} == 1"#)
                .about("A systemd unit failed", "Systemd unit {{ $labels.name }} on {{ $labels.instance }} has failed (reported where node-exporter's systemd collector is enabled).")
                .runbook("What the unit provides on the node is missing.", "`systemctl status <name>` and `journalctl -u <name>` on the node.", "Fix and restart the unit.")
                .test(&[(r#"node_systemd_unit_state{instance="a", name="containerd.service", state="failed"}"#, "1", "0")], &[("instance", "a"), ("name", "containerd.service"), ("state", "failed")]),
            alert("NodeFileDescriptorLimit", Warning, "15m", "node_filefd_allocated * 100 / node_filefd_maximum > 70")
                .about("A node is running out of file descriptors", "Node {{ $labels.instance }} has allocated more than 70% of its file descriptors.")
                .runbook("Processes will fail to open files and sockets.", "`cat /proc/sys/fs/file-nr`; `lsof | awk '{print $1}' | sort | uniq -c | sort -n` for the largest users.", "Raise `fs.file-max` or fix the leaking process.")
                .test(&[(r#"node_filefd_allocated{instance="a"}"#, "80", "10"), (r#"node_filefd_maximum{instance="a"}"#, "100", "100")], a),
            alert("NodeFileDescriptorLimit", Critical, "15m", "node_filefd_allocated * 100 / node_filefd_maximum > 90")
                .about("A node has nearly no file descriptors left", "Node {{ $labels.instance }} has allocated more than 90% of its file descriptors.")
                .runbook("Processes fail to open files and sockets any moment.", "`cat /proc/sys/fs/file-nr` and the largest users from `lsof`.", "Restart the leaking process, then raise `fs.file-max`.")
                .test(&[(r#"node_filefd_allocated{instance="a"}"#, "95", "10"), (r#"node_filefd_maximum{instance="a"}"#, "100", "100")], a)
                .also_fires(Warning, a),
            alert("NodeBondingDegraded", Warning, "5m", "(node_bonding_slaves - node_bonding_active) != 0")
                .about("A network bond is degraded", "Bond {{ $labels.master }} on {{ $labels.instance }} has inactive members.")
                .runbook("The node runs with less network redundancy or bandwidth.", "`cat /proc/net/bonding/<master>` on the node.", "Replace the failed link or NIC.")
                .test(&[(r#"node_bonding_slaves{instance="a", master="bond0"}"#, "2", "2"), (r#"node_bonding_active{instance="a", master="bond0"}"#, "1", "2")], &[("instance", "a"), ("master", "bond0")]),
            alert("NodeNetworkInterfaceFlapping", Warning, "2m", r#"changes(node_network_up{device!~"veth.+"}[5m]) > 2"#)
                .about("A network interface flaps", "Interface {{ $labels.device }} of node {{ $labels.instance }} changes its up status often.")
                .runbook("Connections through it break repeatedly.", "`dmesg` and `ip link` on the node.", "Replace the cable or NIC, or fix the switch port.")
                .test(&[(r#"node_network_up{instance="a", device="eth0"}"#, "0 1", "1")], &[("instance", "a"), ("device", "eth0")]),
        ],
    }
}
