// A one-NameNode, one-DataNode HDFS (Hadoop's MiniDFSCluster) for shoplake's tests, on 127.0.0.1 only.
// Run as a single-file source program (Java 17 compiles it in memory; no build step):
//   java -cp '.cache/hadoop/lib/*' scripts/hadoop/MiniHdfs.java BASE_DIR [LOCAL_DIR HDFS_PATH]...
// It starts the cluster with its state under BASE_DIR, copies each LOCAL_DIR to HDFS_PATH with Hadoop's
// own client (what `hdfs dfs -put` does), then prints one line, `ready hdfs://127.0.0.1:PORT`, and
// serves until its standard input closes (the test's process ended or stopped it), then shuts down.
// Any failure prints `error <message>` and exits 1.

import java.io.File;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;

public class MiniHdfs {
  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length % 2 != 1) {
      System.out.println("error usage: MiniHdfs BASE_DIR [LOCAL_DIR HDFS_PATH]...");
      System.exit(2);
    }
    MiniDFSCluster cluster = null;
    try {
      Configuration conf = loopbackOnly(new Configuration());
      conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(args[0]).getAbsolutePath());
      // Port 0 everywhere: the kernel picks free ports, so parallel runs never collide.
      cluster = new MiniDFSCluster.Builder(conf)
          .nameNodePort(0)
          .nameNodeHttpPort(0)
          .numDataNodes(1)
          .format(true)
          .build();
      cluster.waitActive();
      FileSystem fs = cluster.getFileSystem();
      for (int i = 1; i < args.length; i += 2) {
        Path target = new Path(args[i + 1]);
        fs.mkdirs(target.getParent());
        fs.copyFromLocalFile(false, true, new Path(new File(args[i]).getAbsolutePath()), target);
      }
      System.out.println("ready hdfs://127.0.0.1:" + cluster.getNameNodePort());
      System.out.flush();
      drain(System.in);
    } catch (Throwable t) {
      System.out.println("error " + String.valueOf(t).replace('\n', ' '));
      System.out.flush();
      if (cluster != null) cluster.shutdown();
      System.exit(1);
    }
    cluster.shutdown();
    System.exit(0);
  }

  /** Every address the NameNode and DataNode listen on, bound to 127.0.0.1 on a free port. */
  private static Configuration loopbackOnly(Configuration conf) {
    String[] addresses = {
      "dfs.namenode.rpc-address",
      "dfs.namenode.http-address",
      "dfs.namenode.https-address",
      "dfs.namenode.backup.address",
      "dfs.namenode.backup.http-address",
      "dfs.namenode.secondary.http-address",
      "dfs.namenode.secondary.https-address",
      "dfs.datanode.address",
      "dfs.datanode.http.address",
      "dfs.datanode.https.address",
      "dfs.datanode.ipc.address",
      "dfs.journalnode.rpc-address",
      "dfs.journalnode.http-address",
      "dfs.journalnode.https-address",
    };
    for (String key : addresses) conf.set(key, "127.0.0.1:0");
    // Hosts tell the client the DataNode's address it registered with, which is 127.0.0.1 here.
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    conf.setBoolean("dfs.client.use.datanode.hostname", false);
    conf.set("hadoop.security.authentication", "simple");
    return conf;
  }

  /** Blocks until the stream ends: the parent closed our stdin or died. */
  private static void drain(InputStream in) throws Exception {
    byte[] buffer = new byte[256];
    while (in.read(buffer) >= 0) {
      // Input is ignored; only its end matters.
    }
  }
}
