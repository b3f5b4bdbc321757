//! The loop against an in-memory `Source` whose passes, failures and hints the test controls.
//!
//! Every test runs on tokio's paused clock: the runtime jumps time forward whenever all tasks
//! wait, so "sleep 10 minutes" is instant and the pass counts are exact, not timing-dependent.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use linx_reconcile::{
    Cause, Error, Hint, Hints, LoopOptions, MonitorError, Report, Source, SubscribeError,
};
use tokio::sync::mpsc;
use tokio::time::sleep;

/// What a subscription does.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Subscribe {
    Ok,
    Unsupported,
    Fail,
}

/// What the fake saw in one pass.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    desired: String,
    last_applied: Vec<String>,
}

/// The fake's report: `last_applied` is the previous one plus `"<desired>#<pass>"`.
#[derive(Debug)]
struct FakeReport {
    last_applied: Vec<String>,
}

impl Report for FakeReport {
    type LastApplied = Vec<String>;
    fn converged(&self) -> bool {
        true
    }
    fn last_applied(&self) -> &Vec<String> {
        &self.last_applied
    }
    fn applied(&self) -> usize {
        1
    }
    fn failed(&self) -> usize {
        0
    }
    fn pending(&self) -> usize {
        0
    }
}

#[derive(Debug, thiserror::Error)]
#[error("fake pass {0} failed")]
struct FakeError(usize);

struct Fake {
    passes: AtomicUsize,
    seen: Mutex<Vec<Seen>>,
    fail: AtomicBool,
    panic: AtomicBool,
    delay: Mutex<Duration>,
    mode: Mutex<Subscribe>,
    subscriptions: AtomicUsize,
    hints: Mutex<Option<mpsc::Sender<Result<Hint, MonitorError>>>>,
}

impl Fake {
    fn new(mode: Subscribe) -> Arc<Fake> {
        Arc::new(Fake {
            passes: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
            fail: AtomicBool::new(false),
            panic: AtomicBool::new(false),
            delay: Mutex::new(Duration::ZERO),
            mode: Mutex::new(mode),
            subscriptions: AtomicUsize::new(0),
            hints: Mutex::new(None),
        })
    }

    fn passes(&self) -> usize {
        self.passes.load(Ordering::SeqCst)
    }

    fn subscriptions(&self) -> usize {
        self.subscriptions.load(Ordering::SeqCst)
    }

    fn seen(&self, pass: usize) -> Seen {
        self.seen.lock().unwrap()[pass - 1].clone()
    }

    /// Send `n` hints on the current subscription.
    fn hint(&self, n: usize) {
        let tx = self.hints.lock().unwrap().clone().expect("subscribed");
        for _ in 0..n {
            tx.try_send(Ok(Hint::Changed))
                .expect("room in the hint channel");
        }
    }

    /// End the current subscription, as a monitor whose socket died.
    fn kill_monitor(&self) {
        self.hints.lock().unwrap().take().expect("subscribed");
    }

    fn monitor_closed(&self) -> bool {
        self.hints
            .lock()
            .unwrap()
            .as_ref()
            .is_none_or(|tx| tx.is_closed())
    }
}

impl Source for Fake {
    type Scope = &'static str;
    type Desired = String;
    type LastApplied = Vec<String>;
    type Options = ();
    type Report = FakeReport;
    type Error = FakeError;

    async fn reconcile(
        &self,
        _scope: &&'static str,
        desired: &String,
        last_applied: &Vec<String>,
        _options: &(),
    ) -> Result<FakeReport, FakeError> {
        let n = self.passes.fetch_add(1, Ordering::SeqCst) + 1;
        self.seen.lock().unwrap().push(Seen {
            desired: desired.clone(),
            last_applied: last_applied.clone(),
        });
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            sleep(delay).await;
        }
        assert!(
            !self.panic.load(Ordering::SeqCst),
            "fake source asked to panic"
        );
        if self.fail.load(Ordering::SeqCst) {
            return Err(FakeError(n));
        }
        let mut next = last_applied.clone();
        next.push(format!("{desired}#{n}"));
        Ok(FakeReport { last_applied: next })
    }

    async fn subscribe(&self, _scope: &&'static str) -> Result<Hints, SubscribeError<FakeError>> {
        self.subscriptions.fetch_add(1, Ordering::SeqCst);
        let mode = *self.mode.lock().unwrap();
        match mode {
            Subscribe::Ok => {
                let (tx, rx) = mpsc::channel(64);
                *self.hints.lock().unwrap() = Some(tx);
                Ok(Hints::from_receiver(rx))
            }
            Subscribe::Unsupported => Err(SubscribeError::Unsupported),
            Subscribe::Fail => Err(SubscribeError::Failed(FakeError(0))),
        }
    }
}

fn options(fake: &Arc<Fake>) -> LoopOptions<Fake> {
    LoopOptions::new(fake.clone(), "scope", "v1".to_owned()).name("fake")
}

/// Let the loop run for `ms` milliseconds of (paused) time.
async fn after(ms: u64) {
    sleep(Duration::from_millis(ms)).await;
}

#[tokio::test(start_paused = true)]
async fn first_pass_runs_at_once() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).start();
    after(1).await;
    assert_eq!(fake.passes(), 1);
    let pass = lp.last_pass().expect("first pass published");
    assert_eq!((pass.number(), pass.cause()), (1, Cause::Start));
    assert_eq!(
        fake.seen(1),
        Seen {
            desired: "v1".into(),
            last_applied: vec![]
        }
    );
    // Subscribed before the first pass.
    assert_eq!(fake.subscriptions(), 1);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn last_report_is_none_before_the_first_pass() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).start();
    // The task has not run yet (current-thread runtime, no await so far).
    assert!(lp.last_report().is_none());
    assert!(lp.last_pass().is_none());
    after(1).await;
    assert_eq!(
        lp.last_report().unwrap().last_applied(),
        &["v1#1".to_owned()]
    );
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_10_hints_costs_exactly_one_pass() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(None).start();
    let mut passes = lp.passes();
    after(1).await;
    assert_eq!(fake.passes(), 1);

    fake.hint(9);
    let tx = fake.hints.lock().unwrap().clone().unwrap();
    tx.try_send(Ok(Hint::Resync)).unwrap(); // a resync is a wake-up like any other
    after(50).await;
    assert_eq!(fake.passes(), 1, "debounced: nothing before 100 ms");
    after(100).await;
    assert_eq!(fake.passes(), 2);
    assert_eq!(passes.recv().await.unwrap().cause(), Cause::Start);
    assert_eq!(passes.recv().await.unwrap().cause(), Cause::Hint);
    after(600_000).await;
    assert_eq!(fake.passes(), 2, "no timer and no hints: no more passes");
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_first_hint_of_a_window_decides_when_the_pass_runs() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(None).start();
    after(1).await;
    fake.hint(1);
    after(60).await;
    fake.hint(1); // joins the window armed 60 ms ago; does not push it back
    after(45).await;
    assert_eq!(fake.passes(), 2, "ran 100 ms after the first hint");
    fake.hint(1); // a new window
    after(50).await;
    assert_eq!(fake.passes(), 2);
    after(60).await;
    assert_eq!(fake.passes(), 3);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn hints_before_a_pass_are_answered_by_it_and_hints_during_it_schedule_the_next() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(None).start();
    after(1).await;
    // Queued before a forced pass: that pass answers them, no debounced pass follows.
    fake.hint(5);
    let pass = lp.reconcile().await.unwrap();
    assert_eq!(pass.cause(), Cause::Forced);
    after(1_000).await;
    assert_eq!(fake.passes(), 2);

    // Arriving while a (slow) pass runs: the pass may have looked before the change.
    *fake.delay.lock().unwrap() = Duration::from_secs(1);
    let fake2 = fake.clone();
    let during = tokio::spawn(async move {
        after(500).await;
        fake2.hint(1);
    });
    let pass = lp.reconcile().await.unwrap();
    during.await.unwrap();
    assert_eq!(pass.number(), 3);
    *fake.delay.lock().unwrap() = Duration::ZERO;
    after(150).await;
    assert_eq!(fake.passes(), 4);
    assert_eq!(lp.last_pass().unwrap().cause(), Cause::Hint);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn put_desired_triggers_a_pass_with_the_new_desired_state() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(None).start();
    after(1).await;
    lp.put_desired("v2".to_owned()).unwrap();
    lp.put_desired("v3".to_owned()).unwrap(); // same window: one pass, last value
    assert_eq!(*lp.desired(), "v3");
    after(150).await;
    assert_eq!(fake.passes(), 2);
    assert_eq!(fake.seen(2).desired, "v3");
    assert_eq!(lp.last_pass().unwrap().cause(), Cause::Desired);
    // Ownership from the first pass was threaded through.
    assert_eq!(
        lp.last_report().unwrap().last_applied(),
        &["v1#1".to_owned(), "v3#2".to_owned()]
    );
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_failed_pass_keeps_the_previous_last_applied_and_the_loop_goes_on() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake)
        .last_applied(vec!["persisted".to_owned()])
        .start();
    after(1).await;
    assert_eq!(fake.seen(1).last_applied, ["persisted"]);

    fake.fail.store(true, Ordering::SeqCst);
    let failed = lp.reconcile().await.unwrap();
    assert_eq!(failed.error().unwrap().to_string(), "fake pass 2 failed");
    assert!(failed.report().is_none() && !failed.converged());
    assert!(!lp.is_finished());
    // The last report is still the first pass's; the last pass is the failure.
    assert_eq!(
        lp.last_report().unwrap().last_applied(),
        &["persisted", "v1#1"]
    );
    assert_eq!(lp.last_pass().unwrap().number(), 2);

    // The timer keeps running (default 5 s) and the next pass gets pass 1's ownership.
    fake.fail.store(false, Ordering::SeqCst);
    after(5_010).await;
    assert_eq!(fake.passes(), 3);
    assert_eq!(fake.seen(3).last_applied, ["persisted", "v1#1"]);
    assert_eq!(lp.last_pass().unwrap().cause(), Cause::Timer);
    // And that pass's report is threaded into the one after.
    lp.reconcile().await.unwrap();
    assert_eq!(fake.seen(4).last_applied, ["persisted", "v1#1", "v1#3"]);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_forced_reconcile_returns_its_pass() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).start();
    let pass = lp.reconcile().await.unwrap();
    // The first pass ran before the forced one.
    assert_eq!((pass.number(), pass.cause()), (2, Cause::Forced));
    assert!(pass.converged());
    assert_eq!(pass.report().unwrap().last_applied(), &["v1#1", "v1#2"]);
    assert_eq!(lp.last_pass().unwrap().number(), 2);
    assert_eq!(fake.passes(), 2);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn concurrent_forced_reconciles_share_a_pass() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).start();
    after(1).await;
    let (a, b) = tokio::join!(lp.reconcile(), lp.reconcile());
    assert_eq!(a.unwrap().number(), 2);
    assert_eq!(b.unwrap().number(), 2);
    assert_eq!(fake.passes(), 2);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_timer_rearms_after_every_pass() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(Duration::from_secs(1)).start();
    after(500).await;
    lp.reconcile().await.unwrap(); // at 0.5 s: the next timer pass is due at 1.5 s
    after(700).await; // 1.2 s
    assert_eq!(fake.passes(), 2);
    after(400).await; // 1.6 s
    assert_eq!(fake.passes(), 3);
    assert_eq!(lp.last_pass().unwrap().cause(), Cause::Timer);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn stop_ends_the_loop_and_its_monitor() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(Duration::from_secs(1)).start();
    after(1).await;
    assert!(!fake.monitor_closed());
    lp.stop().await.unwrap();
    assert!(fake.monitor_closed(), "the hints were dropped");
    after(60_000).await;
    assert_eq!(fake.passes(), 1);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_handle_ends_the_loop() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(Duration::from_secs(1)).start();
    after(1).await;
    drop(lp);
    after(1).await;
    assert!(fake.monitor_closed());
    after(60_000).await;
    assert_eq!(fake.passes(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_monitor_that_ends_is_resubscribed_and_a_resync_pass_runs() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(None).start();
    after(1).await;
    fake.kill_monitor();
    after(50).await;
    assert_eq!(fake.subscriptions(), 1, "the first retry waits 100 ms");
    after(100).await;
    assert_eq!(fake.subscriptions(), 2);
    assert_eq!(fake.passes(), 2);
    assert_eq!(lp.last_pass().unwrap().cause(), Cause::Resync);
    // Hints flow again on the new subscription.
    fake.hint(3);
    after(150).await;
    assert_eq!(fake.passes(), 3);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_monitor_error_is_a_death_too() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(None).start();
    after(1).await;
    let tx = fake.hints.lock().unwrap().clone().unwrap();
    tx.try_send(Err("socket gone".into())).unwrap();
    after(150).await;
    assert!(tx.is_closed(), "the failed monitor's hints were dropped");
    assert_eq!(fake.subscriptions(), 2);
    assert_eq!(lp.last_pass().unwrap().cause(), Cause::Resync);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_failed_subscription_is_retried_with_backoff() {
    let fake = Fake::new(Subscribe::Fail);
    let lp = options(&fake).interval(None).start();
    after(1).await;
    assert_eq!(
        (fake.subscriptions(), fake.passes()),
        (1, 1),
        "the first pass does not wait"
    );
    after(100).await; // retry 1 at 100 ms: fails again
    assert_eq!(fake.subscriptions(), 2);
    after(150).await; // retry 2 is 200 ms later
    assert_eq!(fake.subscriptions(), 2);
    *fake.mode.lock().unwrap() = Subscribe::Ok;
    after(100).await;
    assert_eq!(fake.subscriptions(), 3);
    assert_eq!(fake.passes(), 2);
    assert_eq!(lp.last_pass().unwrap().cause(), Cause::Resync);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn unsupported_means_timer_only() {
    let fake = Fake::new(Subscribe::Unsupported);
    let lp = options(&fake).interval(Duration::from_secs(1)).start();
    after(3_500).await;
    assert_eq!(fake.passes(), 4, "start + 3 timer passes");
    assert_eq!(fake.subscriptions(), 1, "never asked again");
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn with_the_timer_off_no_periodic_passes_run() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(None).start();
    after(3_600_000).await;
    assert_eq!(fake.passes(), 1);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn monitor_off_never_subscribes() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).monitor(false).start();
    after(10_001).await;
    assert_eq!(fake.subscriptions(), 0);
    assert_eq!(fake.passes(), 3);
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn every_pass_is_published_in_order() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).interval(Duration::from_secs(1)).start();
    let mut passes = lp.passes();
    after(1).await;
    fake.fail.store(true, Ordering::SeqCst);
    after(1_000).await;
    fake.fail.store(false, Ordering::SeqCst);
    lp.reconcile().await.unwrap();
    let got: Vec<_> = (0..3)
        .map(|_| passes.try_recv().unwrap())
        .map(|p| (p.number(), p.cause(), p.error().is_some()))
        .collect();
    assert_eq!(
        got,
        [
            (1, Cause::Start, false),
            (2, Cause::Timer, true),
            (3, Cause::Forced, false)
        ]
    );
    lp.stop().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_panicking_source_is_reported_not_hidden() {
    let fake = Fake::new(Subscribe::Ok);
    let lp = options(&fake).start();
    after(1).await;
    fake.panic.store(true, Ordering::SeqCst);
    let err = lp.reconcile().await.unwrap_err();
    assert!(matches!(err, Error::Stopped { .. }), "{err}");
    assert_eq!(err.to_string(), r#"reconcile loop "fake" is not running"#);
    assert!(lp.put_desired("v2".into()).is_err());
    match lp.stop().await {
        Err(Error::Panicked { name, message }) => {
            assert_eq!(&*name, "fake");
            assert_eq!(message, "fake source asked to panic");
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn put_desired_during_a_pass_schedules_the_next_one() {
    let fake = Fake::new(Subscribe::Ok);
    *fake.delay.lock().unwrap() = Duration::from_secs(1);
    let lp = options(&fake).interval(None).start();
    after(500).await; // the first pass is running
    lp.put_desired("v2".to_owned()).unwrap();
    after(550).await; // it ended at 1 s, having used v1
    assert_eq!(fake.seen(1).desired, "v1");
    assert_eq!(fake.passes(), 1);
    after(100).await; // debounced from when it was seen, at 1 s
    assert_eq!(fake.passes(), 2);
    assert_eq!(fake.seen(2).desired, "v2");
    lp.stop().await.unwrap();
}

#[test]
fn the_handle_can_be_shared_between_tasks() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<linx_reconcile::Loop<Fake>>();
    send_sync::<linx_reconcile::PassOf<Fake>>();
    send_sync::<linx_reconcile::Loop<linx_reconcile::rtnl::RtnlSource>>();
}
