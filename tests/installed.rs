//! The binary as an installed tool sees it: run from a directory with no checkout in it, the
//! suite it carries runs whole; `cases list` and `cases show` print what it carries; a user's own
//! case directory runs beside it or alone.

mod common;

use std::path::Path;
use std::process::Command;

fn bin_in(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ontap-conform"));
    c.current_dir(dir);
    c.env_remove("ONTAP_PASSWORD");
    c
}

fn shipped_case_files() -> usize {
    fn count(d: &Path) -> usize {
        std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| {
                let p = e.path();
                if p.is_dir() {
                    count(&p)
                } else {
                    usize::from(p.extension().is_some_and(|x| x == "yaml"))
                }
            })
            .sum()
    }
    count(&Path::new(env!("CARGO_MANIFEST_DIR")).join("cases"))
}

#[test]
fn the_suite_runs_from_any_directory_and_lists_itself() {
    let elsewhere = common::temp_dir("installed");
    let n = shipped_case_files();
    let o = bin_in(&elsewhere)
        .args(["run", "--report-dir", "r"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.trim_end()
            .ends_with(&format!("{n} passed, 0 failed, 0 skipped")),
        "{out}"
    );

    let o = bin_in(&elsewhere).args(["cases", "list"]).output().unwrap();
    let list = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        list.lines().count(),
        n + 2,
        "a header, a line per case, a count:\n{list}"
    );
    assert!(list.contains("iscsi-create-5374142-duplicate") && list.contains("4xx 5374142"));

    let o = bin_in(&elsewhere)
        .args(["cases", "show", "iscsi-create-5374142-duplicate"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&o.stdout);
    let file = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/iscsi/create-5374142-duplicate.yaml"),
    )
    .unwrap();
    assert_eq!(
        shown.as_ref(),
        format!("# cases/iscsi/create-5374142-duplicate.yaml\n{file}")
    );
    let o = bin_in(&elsewhere)
        .args(["cases", "show", "no-such-case"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(elsewhere);
}

#[test]
fn a_users_cases_run_beside_the_suite_or_alone() {
    let dir = common::temp_dir("own-cases");
    let mine = dir.join("my-cases/cluster");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(
        mine.join("name.yaml"),
        "id: my-cluster-name\ntitle: the cluster has a name\nsteps:\n  - request:\n      operation: GET /api/cluster\n    expect:\n      status: 200\n      basis: {observed: \"netapp_ontap resources/cluster.py: name\"}\n      fields:\n        name: {present: true}\n",
    )
    .unwrap();
    let n = shipped_case_files();
    let count = |extra: &[&str]| {
        let o = bin_in(&dir)
            .args(["run", "--report-dir", "r", "--cases", "my-cases"])
            .args(extra)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(o.status.code(), Some(0), "{out}");
        out.lines().last().unwrap_or_default().to_string()
    };
    assert_eq!(count(&[]), format!("{} passed, 0 failed, 0 skipped", n + 1));
    assert_eq!(
        count(&["--no-builtin-cases"]),
        "1 passed, 0 failed, 0 skipped"
    );
    let _ = std::fs::remove_dir_all(dir);
}
