//! Throwaway network namespaces for Linx kernel tests.
//!
//! A [`TestNs`] is a fresh, empty network namespace (only `lo`, down) that
//! lives exactly as long as the value. Tests open Linx sockets in it by path
//! ([`TestNs::netns`]) and cross-check with iproute2 ([`TestNs::ip`]).
//!
//! Why this shape: the only way to make a namespace without a tool or a
//! mount is `unshare(CLONE_NEWNET)`, and that changes the namespace of the
//! calling *thread*. So a dedicated helper thread calls it and then parks;
//! `/proc/<pid>/task/<tid>/ns/net` names the new namespace while the thread
//! lives. The test's own threads never change namespace, the host namespace
//! is never touched, and there is no name to clash with or clean up.
//!
//! ```no_run
//! use linx_testns::TestNs;
//!
//! let ns = TestNs::new();
//! ns.ip(&["link", "add", "t0", "type", "veth", "peer", "name", "t1"]);
//! let links = ns.ip_json(&["link", "show"]);
//! assert!(links.contains("\"t0\""));
//! let sock = linx_netlink_sys::Socket::open(0, ns.netns()).unwrap();
//! # drop(sock);
//! ```
//!
//! # Contract
//!
//! - Needs `CAP_SYS_ADMIN` (root, or the whole test binary run under
//!   `unshare -r`, which `cargo xtask test` does). Without it,
//!   [`TestNs::new`] panics with a message saying so: a kernel test that
//!   cannot get a namespace fails loudly, it never passes silently.
//! - Dropping a `TestNs` wakes the helper thread, which exits, and joins it.
//!   The namespace then disappears as soon as nothing else holds it (a socket
//!   opened in it keeps it alive until closed). Nothing is left behind, even
//!   when the test panics.
//! - [`TestNs::enter`] runs a closure on a helper thread inside the
//!   namespace (`setns(2)`); the test's own thread stays where it is.
//! - [`TestNs::ip`], [`TestNs::ip_json`], [`TestNs::ip_batch`] and
//!   [`TestNs::run`] go through `nsenter --net=<path>`, so they need
//!   `nsenter` (util-linux) and `ip` (iproute2) on `PATH`. The helpers panic
//!   with the command's stderr when it fails, which is what a test wants.
//! - Test support only: helpers panic instead of returning errors.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;

use nix::sched::CloneFlags;

/// A fresh network namespace for one test, alive as long as this value.
///
/// ```no_run
/// let ns = linx_testns::TestNs::new();
/// println!("namespace at {}", ns.path().display());
/// ```
#[derive(Debug)]
pub struct TestNs {
    path: PathBuf,
    /// Dropping this wakes the parked thread.
    wake: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestNs {
    /// Creates the namespace: spawns a helper thread that unshares its
    /// network namespace and parks.
    ///
    /// # Panics
    ///
    /// When the namespace cannot be created (no `CAP_SYS_ADMIN`), with a
    /// message telling how to run kernel tests.
    ///
    /// ```no_run
    /// let a = linx_testns::TestNs::new();
    /// let b = linx_testns::TestNs::new();
    /// assert_ne!(a.path(), b.path());
    /// ```
    pub fn new() -> TestNs {
        let (report, reported) = mpsc::channel();
        let (wake, parked) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("linx-testns".into())
            .spawn(move || {
                // Changes this helper thread's namespace only.
                let result = nix::sched::unshare(CloneFlags::CLONE_NEWNET)
                    .map(|()| nix::unistd::gettid().as_raw());
                let ok = result.is_ok();
                // The receiver waits for this message; if it is gone the
                // test is already unwinding and there is nothing to tell.
                let _ = report.send(result);
                if ok {
                    // Returns Err once `wake` is dropped: time to exit.
                    let _ = parked.recv();
                }
            })
            .unwrap_or_else(|e| panic!("linx-testns: cannot spawn the namespace thread: {e}"));
        let tid = match reported.recv() {
            Ok(Ok(tid)) => tid,
            Ok(Err(errno)) => {
                // The thread has already returned; join cannot block.
                let _ = thread.join();
                panic!(
                    "\n\nlinx-testns: cannot create a network namespace: \
                     unshare(CLONE_NEWNET) failed with {}.\n\
                     Kernel tests need root or `unshare -r`: run `cargo xtask test` \
                     (or `unshare -r cargo test ... -- --include-ignored`).\n",
                    linx_netlink_sys::Errno::from(errno)
                );
            }
            Err(_) => panic!("linx-testns: the namespace thread died before reporting"),
        };
        let path = PathBuf::from(format!("/proc/{}/task/{tid}/ns/net", std::process::id()));
        TestNs {
            path,
            wake: Some(wake),
            thread: Some(thread),
        }
    }

    /// The namespace file, `/proc/<pid>/task/<tid>/ns/net` of the parked
    /// thread. Valid while `self` lives.
    ///
    /// ```no_run
    /// let ns = linx_testns::TestNs::new();
    /// assert!(ns.path().starts_with("/proc"));
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The namespace as a Linx [`Netns::Path`](linx_netlink_sys::Netns::Path).
    ///
    /// ```no_run
    /// let ns = linx_testns::TestNs::new();
    /// let sock = linx_netlink_sys::Socket::open(0, ns.netns()).unwrap();
    /// ```
    pub fn netns(&self) -> linx_netlink_sys::Netns {
        linx_netlink_sys::Netns::Path(self.path.clone())
    }

    /// Runs `ip <args>` inside the namespace and returns its stdout.
    ///
    /// # Panics
    ///
    /// When `ip` fails, with its stderr.
    ///
    /// ```no_run
    /// let ns = linx_testns::TestNs::new();
    /// ns.ip(&["link", "set", "lo", "up"]);
    /// ```
    pub fn ip(&self, args: &[&str]) -> String {
        let out = self.run("ip", args);
        check(&format!("ip {}", args.join(" ")), &out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `ip -j <args>` inside the namespace and returns its JSON stdout
    /// for the caller to parse.
    ///
    /// # Panics
    ///
    /// When `ip` fails, with its stderr.
    ///
    /// ```no_run
    /// let ns = linx_testns::TestNs::new();
    /// let json = ns.ip_json(&["link", "show"]);
    /// assert!(json.starts_with('['));
    /// ```
    pub fn ip_json(&self, args: &[&str]) -> String {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push("-j");
        all.extend_from_slice(args);
        self.ip(&all)
    }

    /// Runs any program inside the namespace (through `nsenter`) and returns
    /// its output, whatever its exit status.
    ///
    /// # Panics
    ///
    /// When `nsenter` cannot be started.
    ///
    /// ```no_run
    /// let ns = linx_testns::TestNs::new();
    /// let out = ns.run("ip", &["-brief", "link"]);
    /// assert!(out.status.success());
    /// ```
    pub fn run(&self, program: &str, args: &[&str]) -> Output {
        self.nsenter(program, args)
            .output()
            .unwrap_or_else(|e| panic!("linx-testns: cannot run nsenter {program}: {e}"))
    }

    /// Runs `work` on a scoped helper thread that first enters the namespace
    /// (`setns(2)`), and returns its result: for code that must itself be
    /// inside the namespace, such as opening an ordinary socket there and
    /// sending traffic. The calling thread never changes namespace.
    ///
    /// # Panics
    ///
    /// When the namespace cannot be entered, and re-raises a panic of `work`.
    ///
    /// ```no_run
    /// let ns = linx_testns::TestNs::new();
    /// ns.ip(&["link", "set", "lo", "up"]);
    /// let sent = ns.enter(|| {
    ///     let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     udp.send_to(b"ping", "127.0.0.1:9").unwrap()
    /// });
    /// assert_eq!(sent, 4);
    /// ```
    pub fn enter<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        let ns = std::fs::File::open(&self.path)
            .unwrap_or_else(|e| panic!("linx-testns: cannot open {}: {e}", self.path.display()));
        std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .name("linx-testns-enter".into())
                .spawn_scoped(scope, move || {
                    // Changes this helper thread's namespace only.
                    nix::sched::setns(&ns, CloneFlags::CLONE_NEWNET)
                        .unwrap_or_else(|e| panic!("linx-testns: cannot enter the namespace: {e}"));
                    work()
                })
                .unwrap_or_else(|e| panic!("linx-testns: cannot spawn a thread: {e}"));
            match thread.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// Feeds `script` to `ip -batch -` inside the namespace: one `ip` command
    /// per line, without the leading `ip`.
    ///
    /// # Panics
    ///
    /// When any line fails, with `ip`'s stderr.
    ///
    /// ```no_run
    /// let ns = linx_testns::TestNs::new();
    /// ns.ip_batch("link add a0 type veth peer name a1\nlink set a0 up\n");
    /// ```
    pub fn ip_batch(&self, script: &str) {
        let mut child = self
            .nsenter("ip", &["-batch", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("linx-testns: cannot run nsenter ip -batch: {e}"));
        let mut stdin = child.stdin.take().expect("stdin was piped");
        stdin
            .write_all(script.as_bytes())
            .unwrap_or_else(|e| panic!("linx-testns: cannot feed ip -batch: {e}"));
        drop(stdin);
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("linx-testns: ip -batch did not finish: {e}"));
        check("ip -batch -", &out);
    }

    fn nsenter(&self, program: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new("nsenter");
        cmd.arg(format!("--net={}", self.path.display()))
            .arg("--")
            .arg(program)
            .args(args);
        cmd
    }
}

impl Default for TestNs {
    /// Same as [`TestNs::new`].
    fn default() -> TestNs {
        TestNs::new()
    }
}

impl Drop for TestNs {
    fn drop(&mut self) {
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            // The thread only parks; it cannot panic in a way worth re-raising
            // from a destructor (which may run during unwinding).
            let _ = thread.join();
        }
    }
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "linx-testns: `{what}` failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
