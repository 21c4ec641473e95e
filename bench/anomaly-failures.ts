// Failure messages of the kinds real software writes during incidents, in the
// style of each benchmark system, filled with random values. Written from
// general knowledge of these programs' messages, not copied from the samples;
// lines that happen to match one of a system's routine templates are rejected
// by the injector (they would be mislabelled).

import type { DatasetName, Rng } from './anomaly-data.js';

type Gen = (r: Rng) => string;

const ip = (r: Rng): string => `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
const pubIp = (r: Rng): string => `${r.int(23, 220)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
const port = (r: Rng): number => r.int(1024, 65535);
const pid = (r: Rng): number => r.int(300, 32000);
const blk = (r: Rng): string => `blk_${r.next() < 0.5 ? '-' : ''}${r.int(1e8, 9e8)}${r.int(1e8, 9e8)}`;
const user = (r: Rng): string => r.pick(['root', 'admin', 'oracle', 'test', 'postgres', 'ubuntu', 'git', 'deploy', 'guest', 'user1']);
const host = (r: Rng): string => `${r.pick(['node', 'worker', 'dn', 'mesos', 'hdp'])}-${r.int(1, 64)}.${r.pick(['prod', 'cluster', 'dc1'])}.internal`;
const proc = (r: Rng): string => r.pick(['java', 'mysqld', 'httpd', 'python', 'sshd', 'slurmd', 'gmond', 'ntpd', 'mpirun']);
const pkg = (r: Rng): string => r.pick(['tencent.mm', 'tencent.mobileqq', 'android.systemui', 'huawei.camera', 'sina.weibo', 'android.phone']);
const attempt = (r: Rng): string => `attempt_14451444237${r.int(10, 99)}_00${r.int(10, 30)}_${r.pick(['m', 'r'])}_0000${r.int(10, 40)}_${r.int(0, 3)}`;
const kb = (r: Rng): number => r.int(2000000, 3999999);

const JAVA_COMMON: Gen[] = [
  () => 'java.lang.OutOfMemoryError: Java heap space',
  () => 'java.lang.OutOfMemoryError: GC overhead limit exceeded',
  (r) => `java.net.ConnectException: Connection refused: ${host(r)}/${ip(r)}:${port(r)}`,
  () => 'Caused by: java.io.EOFException',
  (r) => `at java.net.SocketInputStream.read(SocketInputStream.java:${r.int(100, 220)})`,
  (r) => `java.net.SocketTimeoutException: ${r.int(6, 12) * 10000} millis timeout while waiting for channel to be ready for read. ch : java.nio.channels.SocketChannel[connected local=/${ip(r)}:${port(r)} remote=/${ip(r)}:${port(r)}]`,
  (r) => `Exception in thread "${r.pick(['main', 'IPC Client', 'ResponseProcessor', 'Thread-12'])}" java.lang.NullPointerException`,
];

const STYLE: Record<DatasetName, Gen[]> = {
  HDFS: [
    (r) => `DataXceiver error processing WRITE_BLOCK operation src: /${ip(r)}:${port(r)} dest: /${ip(r)}:50010`,
    (r) => `Exception in receiveBlock for block ${blk(r)} java.io.IOException: Connection reset by peer`,
    (r) => `writeBlock ${blk(r)} received exception java.io.IOException: Could not read from stream`,
    (r) => `Slow BlockReceiver write data to disk cost:${r.int(3000, 90000)}ms (threshold=300ms)`,
    () => 'DiskChecker$DiskErrorException: Directory is not writable: /mnt/hadoop/dfs/data/current',
    (r) => `Failed to transfer ${blk(r)} to ${ip(r)}:50010 got java.net.ConnectException: Connection refused`,
    (r) => `BLOCK* NameSystem.addStoredBlock: Redundant addStoredBlock request received for ${blk(r)} on ${ip(r)}:50010 size 67108864`,
    () => 'java.io.IOException: No space left on device',
    (r) => `Unexpected error trying to delete block ${blk(r)}. BlockInfo not found in volumeMap.`,
    (r) => `PendingReplicationMonitor timed out block ${blk(r)}`,
    (r) => `at org.apache.hadoop.hdfs.server.datanode.BlockReceiver.receivePacket(BlockReceiver.java:${r.int(300, 700)})`,
    (r) => `BLOCK* NameSystem.addStoredBlock: addStoredBlock request received for ${blk(r)} on ${ip(r)}:50010 size 67108864 but it does not belong to any file.`,
  ],
  Hadoop: [
    (r) => `Diagnostics report from ${attempt(r)}: Error: java.io.IOException: Spill failed`,
    () => 'Container killed by the ApplicationMaster. Container killed on request. Exit code is 143',
    () => 'Exception running child : java.lang.OutOfMemoryError: Java heap space',
    () => 'Shuffle failed with too many fetch failures and insufficient progress!',
    (r) => `${attempt(r)} TaskAttempt Transitioned from RUNNING to FAIL_CONTAINER_CLEANUP`,
    (r) => `Job job_14451444237${r.int(10, 99)}_00${r.int(10, 30)} failed with state FAILED due to: Task failed task_14451444237${r.int(10, 99)}_00${r.int(10, 30)}_m_0000${r.int(10, 40)}`,
    (r) => `Error writing history event: org.apache.hadoop.ipc.RemoteException(java.io.FileNotFoundException): File does not exist: /user/${user(r)}/.staging/job_14451444237${r.int(10, 99)}/job.jhist`,
    (r) => `Could not delete hdfs://${host(r)}:9000/user/${user(r)}/.staging/job_14451444237${r.int(10, 99)}_00${r.int(10, 30)}`,
    (r) => `at org.apache.hadoop.mapred.MapTask$MapOutputBuffer.collect(MapTask.java:${r.int(1000, 1200)})`,
    (r) => `Killing taskAttempt:${attempt(r)} because it is running on unusable node:${host(r)}:${port(r)}`,
    (r) => `Task: ${attempt(r)} - exited : java.io.IOException: All datanodes ${ip(r)}:50010 are bad. Aborting...`,
  ],
  Spark: [
    (r) => `Exception in task ${r.int(0, 40)}.0 in stage ${r.int(0, 30)}.0 (TID ${r.int(100, 9000)})`,
    (r) => `Lost executor ${r.int(1, 40)} on ${host(r)}: Container killed by YARN for exceeding memory limits. ${r.int(11, 13)}.1 GB of 11 GB physical memory used. Consider boosting spark.yarn.executor.memoryOverhead.`,
    (r) => `Task ${r.int(0, 40)} in stage ${r.int(0, 30)}.0 failed 4 times; aborting job`,
    (r) => `Executor heartbeat timed out after ${r.int(120000, 200000)} ms`,
    (r) => `Failed to fetch block shuffle_${r.int(0, 9)}_${r.int(0, 400)}_${r.int(0, 200)}, and will not retry`,
    () => 'RECEIVED SIGNAL 15: SIGTERM',
    (r) => `Uncaught exception in thread Thread[Executor task launch worker-${r.int(0, 20)},5,main]`,
    (r) => `Driver ${host(r)}:${port(r)} disassociated! Shutting down.`,
    (r) => `Failed to connect to ${host(r)}/${ip(r)}:${port(r)}`,
    (r) => `at org.apache.spark.storage.BlockManager.get(BlockManager.scala:${r.int(500, 700)})`,
    (r) => `Error sending result RpcResponse{requestId=${r.int(1e6, 9e6)}, body=NioManagedBuffer{buf=java.nio.HeapByteBuffer[pos=0 lim=${r.int(100, 999)} cap=${r.int(1000, 9999)}]}} to /${ip(r)}:${port(r)}; closing connection`,
  ],
  Zookeeper: [
    () => 'Unexpected exception causing shutdown while sock still open',
    () => 'Exception when following the leader',
    () => 'Severe unrecoverable error, exiting',
    (r) => `Too many connections from /${ip(r)} - max is 60`,
    (r) => `fsync-ing the write ahead log in SyncThread:${r.int(0, 3)} took ${r.int(2000, 60000)}ms which will adversely effect operation latency. See the ZooKeeper troubleshooting guide`,
    () => 'Unable to load database on disk',
    () => 'java.io.IOException: ZooKeeperServer not running',
    () => 'Snapshot directory /var/lib/zookeeper/version-2 is full: No space left on device',
    (r) => `Leader epoch ${r.int(1, 9)} is less than our accepted epoch ${r.int(10, 20)}`,
    (r) => `Got user-level KeeperException when processing sessionid:0x${r.hex(15)} type:create cxid:0x${r.hex(2)} zxid:0x${r.hex(9)} txntype:-1 reqpath:n/a Error Path:/hbase/rs Error:KeeperErrorCode = NodeExists`,
  ],
  OpenSSH: [
    () => 'fatal: Read from socket failed: Connection reset by peer [preauth]',
    (r) => `error: Could not load host key: /etc/ssh/ssh_host_${r.pick(['ecdsa', 'ed25519', 'rsa'])}_key`,
    () => 'fatal: Cannot bind any address.',
    () => 'error: Bind to port 22 on 0.0.0.0 failed: Address already in use.',
    (r) => `fatal: Access denied for user ${user(r)} by PAM account configuration [preauth]`,
    () => 'error: kex_exchange_identification: Connection closed by remote host',
    () => 'Corrupted MAC on input. [preauth]',
    (r) => `error: maximum authentication attempts exceeded for ${user(r)} from ${pubIp(r)} port ${port(r)} ssh2 [preauth]`,
    (r) => `Accepted publickey for root from ${pubIp(r)} port ${port(r)} ssh2: RSA SHA256:${r.hex(20)}`,
    (r) => `Disconnecting: Too many authentication failures for ${user(r)} [preauth]`,
    (r) => `fatal: ssh_dispatch_run_fatal: Connection from ${pubIp(r)} port ${port(r)}: message authentication code incorrect [preauth]`,
    (r) => `subsystem request for sftp by user ${user(r)} failed, subsystem not found`,
  ],
  Apache: [
    (r) => `child pid ${pid(r)} exit signal Segmentation fault (11)`,
    () => 'server reached MaxClients setting, consider raising the MaxClients setting',
    () => '(98)Address already in use: make_sock: could not bind to address 0.0.0.0:80',
    () => 'no listening sockets available, shutting down',
    () => '(24)Too many open files: could not open transfer log file /var/log/httpd/access_log.',
    (r) => `[client ${pubIp(r)}] script not found or unable to stat: /var/www/cgi-bin/${r.pick(['awstats.pl', 'test.cgi', 'php.cgi'])}`,
    (r) => `[client ${pubIp(r)}] request failed: error reading the headers`,
    (r) => `proxy: error reading status line from remote server ${host(r)}`,
    (r) => `mod_jk: ajp_connection_tcp_get_message: can't receive the response message from tomcat, network problems or tomcat is down (${ip(r)}:8009) err=-104`,
    (r) => `Child ${pid(r)}: Encountered too many errors accepting client connections. Possible causes: dynamic address renewal, or incompatible VPN or firewall software.`,
    () => '(12)Cannot allocate memory: fork: Unable to fork new process',
  ],
  Thunderbird: [
    (r) => `Out of memory: Kill process ${pid(r)} (${proc(r)}) score ${r.int(800, 999)} or sacrifice child`,
    (r) => `Killed process ${pid(r)} (${proc(r)}) total-vm:${kb(r)}kB, anon-rss:${kb(r)}kB, file-rss:0kB`,
    (r) => `EXT3-fs error (device sda${r.int(1, 5)}): ext3_find_entry: reading directory #${r.int(2, 900000)} offset 0`,
    () => 'Kernel panic - not syncing: Fatal exception in interrupt',
    (r) => `${proc(r)}[${pid(r)}]: segfault at ${r.hex(16)} rip ${r.hex(16)} rsp ${r.hex(16)} error 4`,
    (r) => `end_request: I/O error, dev sd${r.pick(['a', 'b'])}, sector ${r.int(1e6, 9e8)}`,
    (r) => `nfs: server ${r.pick(['nfs1', 'home', 'scratch'])} not responding, still trying`,
    (r) => `BUG: soft lockup - CPU#${r.int(0, 7)} stuck for ${r.int(11, 90)}s! [${proc(r)}:${pid(r)}]`,
    (r) => `INFO: task ${proc(r)}:${pid(r)} blocked for more than 120 seconds.`,
    (r) => `mptscsih: ioc0: attempting task abort! (sc=ffff81${r.hex(10)})`,
    () => 'Remounting filesystem read-only',
    (r) => `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${pubIp(r)}  user=root`,
    (r) => `Failed password for ${user(r)} from ${pubIp(r)} port ${port(r)} ssh2`,
    () => 'VFS: file-max limit 8192 reached',
    (r) => `EDAC MC0: UE page 0x${r.hex(5)}, offset 0x${r.hex(3)}, grain 8, row ${r.int(0, 7)}, labels ":": k8_edac UE`,
  ],
  Windows: [
    (r) => `Failed to open package file: C:\\Windows\\servicing\\Packages\\Package_for_KB${r.int(2000000, 4999999)}~31bf3856ad364e35~amd64~~6.1.1.${r.int(0, 9)}.mum [HRESULT = 0x80070002 - ERROR_FILE_NOT_FOUND]`,
    (r) => `Exec: Failed to resolve package Package_for_KB${r.int(2000000, 4999999)}~31bf3856ad364e35~amd64~~6.1.1.0 [HRESULT = 0x80070490 - ERROR_NOT_FOUND]`,
    () => 'Error: Unable to create transaction [HRESULT = 0x80070005 - E_ACCESSDENIED]',
    (r) => `CSI Store corruption detected: component manifest hash mismatch for amd64_microsoft-windows-${r.pick(['shell32', 'kernel32', 'ntdll', 'winsxs'])}_31bf3856ad364e35_6.1.7601.${r.int(17000, 23999)}_none_${r.hex(16)}`,
    () => 'Failed to write to the transaction log [HRESULT = 0x80070070 - ERROR_DISK_FULL]',
    (r) => `Session: ${r.int(30540000, 30549999)}_${r.int(100000000, 999999999)} failed to FinalizeEx [HRESULT = 0x800f0922 - CBS_E_INSTALLERS_FAILED]`,
    () => 'Startup: Failed to process advanced operation queue, startupPhase: 0. A rollback transaction will be created. [HRESULT = 0x80004005 - E_FAIL]',
    () => 'Doqe: Failed to load component store [HRESULT = 0x80070570 - ERROR_FILE_CORRUPT]',
    (r) => `Warning: Overlap: Duplicate ownership for directory \\??\\C:\\Windows\\System32\\${r.pick(['drivers', 'wbem', 'catroot'])} in component Microsoft-Windows-${r.pick(['Shell', 'Kernel', 'Setup'])}`,
    () => 'Fatal error: Exception 0xc0000005 (STATUS_ACCESS_VIOLATION) in TrustedInstaller.exe',
    () => 'TrustedInstaller service terminated unexpectedly; the system will reboot to complete the servicing operation',
  ],
  Android: [
    () => 'FATAL EXCEPTION: main',
    (r) => `Process: com.${pkg(r)}, PID: ${pid(r)}`,
    () => "java.lang.NullPointerException: Attempt to invoke virtual method 'int android.view.View.getWidth()' on a null object reference",
    (r) => `ANR in com.${pkg(r)} (com.${pkg(r)}/.MainActivity)`,
    (r) => `Process com.${pkg(r)} (pid ${pid(r)}) has died`,
    () => 'Watchdog: *** WATCHDOG KILLING SYSTEM PROCESS: Blocked in handler on main thread (main)',
    (r) => `Unable to start service Intent { act=com.${pkg(r)}.action.START } U=0: not found`,
    (r) => `(11) database corruption at line ${r.int(50000, 70000)} of [${r.hex(10)}]`,
    (r) => `binder: ${pid(r)}:${pid(r)} transaction failed 29189, size 0-0`,
    (r) => `Failed to allocate a ${r.int(1e6, 9e7)} byte allocation with ${r.int(1e5, 9e6)} free bytes and ${r.int(1, 9)}MB until OOM`,
    (r) => `at android.os.Handler.dispatchMessage(Handler.java:${r.int(90, 110)})`,
    () => 'Shutting down VM',
  ],
};

const JAVA: ReadonlySet<DatasetName> = new Set(['HDFS', 'Hadoop', 'Spark', 'Zookeeper']);

/** Failure-message generators for a system (its own style, plus generic JVM failures for JVM systems). */
export function failureGenerators(name: DatasetName): Gen[] {
  return JAVA.has(name) ? [...STYLE[name], ...JAVA_COMMON] : STYLE[name];
}
