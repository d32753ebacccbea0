//! The command line: the built binary's help and its refusals of bad input. None of these
//! invocations gets as far as starting a server.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const FLAGS: &[&str] = &[
    "--port",
    "--dist",
    "--time-scale",
    "--plans",
    "--cors-origin",
    "--no-cors",
    "--cw-keyed-allowance",
    "--help",
];

/// Runs the emulator with `args`; a run that has not ended after 20 s (a server that started
/// after all) is killed and fails the test.
fn run(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_credit-gauge-emulator"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the emulator binary starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while child
        .try_wait()
        .expect("waiting for the emulator")
        .is_none()
    {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not exit: a server was started");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("the emulator's output")
}

#[test]
fn help_lists_every_flag_and_exits_0() {
    let out = run(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for flag in FLAGS {
        assert!(
            text.contains(flag),
            "--help does not mention {flag}:\n{text}"
        );
    }
    // The long help has each flag's details and defaults.
    assert!(text.contains("[default: 8787]"), "{text}");
    assert!(text.contains("Contradicts --cors-origin"), "{text}");

    let short = run(&["-h"]);
    let text = String::from_utf8_lossy(&short.stdout);
    assert_eq!(short.status.code(), Some(0), "{text}");
    for flag in FLAGS {
        assert!(text.contains(flag), "-h does not mention {flag}:\n{text}");
    }
}

#[test]
fn bad_input_exits_2_naming_the_flag() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["--port", "x"], &["--port", "'x'"]),
        (&["--port", "65536"], &["--port"]),
        (&["--port"], &["--port"]),
        (&["--time-scale", "0"], &["--time-scale"]),
        (&["--cw-keyed-allowance", "lots"], &["--cw-keyed-allowance"]),
        (&["--cw-keyed-allowance", "-1"], &["--cw-keyed-allowance"]),
        // Too many credits to count in milli-credits.
        (
            &["--cw-keyed-allowance", "18446744073709552"],
            &["--cw-keyed-allowance"],
        ),
        (
            &["--no-cors", "--cors-origin", "http://localhost:8080"],
            &["--no-cors", "--cors-origin"],
        ),
        (&["--no-such-flag"], &["--no-such-flag"]),
        (
            &["--plans", "/nonexistent/credit-gauge/plans.json"],
            &["/nonexistent/credit-gauge/plans.json"],
        ),
    ];
    for (args, named) in cases {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        for n in *named {
            assert!(
                err.contains(n),
                "{args:?}: the error does not say {n}:\n{err}"
            );
        }
    }
}
