//! `cargo test` runs one trial per case file, named `<area>::<id>`, and one per check generated
//! from the spec, the curated one over NetApp's imported layer (`generated::<id>`, seed
//! `ONTAP_SEED` or the default; 6,404 trials), against the embedded emulator
//! or, when `ONTAP_TARGET` is set, against that cluster: the variables `ontap-conform run` reads
//! (`run::env`: `ONTAP_USER`, `ONTAP_PASSWORD`, `ONTAP_INSECURE=1` or `ONTAP_CA_CERT=FILE`,
//! `ONTAP_ALLOW_DESTRUCTIVE=1`, `ONTAP_SVM`). A case the target skips is `ignored`, with the
//! reason. Works with libtest's `--list`, name filters and `--exact`, and under `cargo nextest`
//! including `--partition count:K/N`.

use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use ontap_conform::case::{self, Case};
use ontap_conform::emulator::{ADMIN_PASSWORD, ADMIN_USER, Emulator, EmulatorConfig};
use ontap_conform::report::model::Outcome;
use ontap_conform::run::{self, RunOptions, env, http::ClientOptions};
use ontap_conform::secret::Secret;
use ontap_conform::spec::Spec;

struct Shared {
    runtime: tokio::runtime::Runtime,
    spec: Arc<Spec>,
    opts: RunOptions,
    /// Exclusive cases (cluster-wide settings, emulator conditions) run alone, as in `run`.
    exclusive: RwLock<()>,
    _emulator: Option<Emulator>,
}

static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();

fn shared(spec: &Arc<Spec>) -> &'static Result<Shared, String> {
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        // The same variables, read the same way, as `ontap-conform run` (`run::env`).
        let conn = env::Connection::from_env();
        let (target, user, password, emulator) = match &conn.target {
            Some(t) => (
                t.clone(),
                conn.user().to_string(),
                env::password(conn.user(), t)?,
                None,
            ),
            None => {
                let emu = runtime
                    .block_on(Emulator::start(
                        "127.0.0.1:0".parse().expect("literal"),
                        EmulatorConfig::default(),
                    ))
                    .map_err(|e| e.to_string())?;
                (
                    emu.base_url(),
                    ADMIN_USER.into(),
                    Secret::new(ADMIN_PASSWORD),
                    Some(emu),
                )
            }
        };
        let client =
            ClientOptions {
                insecure: conn.insecure,
                ca_cert: match &conn.ca_cert {
                    Some(p) => Some(std::fs::read(p).map_err(|e| {
                        format!("cannot read {} {}: {e}", env::CA_CERT, p.display())
                    })?),
                    None => None,
                },
                ca_cert_path: conn.ca_cert.clone(),
                rate: env::rate(&conn)?,
                ..ClientOptions::default()
            };
        let mut opts = RunOptions {
            embedded: emulator.is_some(),
            allow_destructive: conn.allow_destructive,
            svm: conn.svm.clone(),
            ..RunOptions::new(target, user, password, client)
        };
        // One probe for all the trials.
        opts.facts = Some(
            runtime
                .block_on(run::probe_target(&opts))
                .map_err(|e| e.to_string())?,
        );
        Ok(Shared {
            opts,
            spec: spec.clone(),
            runtime,
            exclusive: RwLock::new(()),
            _emulator: emulator,
        })
    })
}

/// Runs one case as a trial: a pass is `ok`, a skip (destructive without
/// `ONTAP_ALLOW_DESTRUCTIVE`, a version, a role, an emulator condition) is `ignored` with its
/// reason, never `ok`: a cluster run that skipped everything must not read as all green.
fn run_one(spec: &Arc<Spec>, case: Case) -> Result<Completion, Failed> {
    let shared = shared(spec)
        .as_ref()
        .map_err(|e| Failed::from(e.as_str()))?;
    let exclusive = case.def.exclusive || case.def.isolated || case.def.requires.emulator.is_some();
    let _guard_w;
    let _guard_r;
    if exclusive {
        _guard_w = shared.exclusive.write().unwrap_or_else(|p| p.into_inner());
    } else {
        _guard_r = shared.exclusive.read().unwrap_or_else(|p| p.into_inner());
    }
    let report = shared
        .runtime
        .block_on(run::run(
            shared.spec.clone(),
            vec![case],
            shared.opts.clone(),
            None,
        ))
        .map_err(|e| Failed::from(e.to_string()))?;
    let r = report.cases.first().ok_or("the case did not run")?;
    match r.outcome {
        Outcome::Pass => Ok(Completion::Completed),
        Outcome::Skip => Ok(Completion::ignored_with(
            r.skip_reason.as_deref().unwrap_or("skipped"),
        )),
        Outcome::Fail | Outcome::Error => {
            let mut msg = String::new();
            for f in &r.failures {
                msg.push_str(&format!("{}: {}\n", f.step, f.message));
                if let (Some(e), Some(a)) = (&f.expected, &f.actual) {
                    msg.push_str(&format!("  expected: {e}\n  actual:   {a}\n"));
                }
                if let Some(c) = &f.curl {
                    msg.push_str(&format!("  reproduce: {c}\n"));
                }
            }
            Err(msg.into())
        }
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The repository's curated spec over NetApp's imported layer, as `run` has them: the
    // generated checks of the whole API are trials too.
    let layered = Spec::load(Some(&root.join("spec/openapi.yaml"))).and_then(|s| {
        s.with_imported(
            Path::new(ontap_conform::spec::import::BUILTIN_LAYER_PATH),
            ontap_conform::spec::import::builtin_layer(),
        )
    });
    let spec = match layered {
        Ok(s) => Arc::new(s),
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(2);
        }
    };
    let cases = match case::load_dir(&root.join("cases"), &spec) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(2);
        }
    };
    // The checks generated from the spec, as trials beside the cases (`generated::<id>`);
    // `ONTAP_SEED` replays another seed's values.
    let seed = std::env::var("ONTAP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(case::generated::DEFAULT_SEED);
    let generated = match case::generated::generate(&spec, seed) {
        Ok(c) => c,
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(2);
        }
    };
    let trials = cases
        .into_iter()
        .chain(generated)
        .map(|c| {
            let name = format!("{}::{}", c.area, c.def.id);
            let spec = spec.clone();
            let kind = c.def.tags.first().cloned().unwrap_or_default();
            Trial::ignorable_test(name, move || run_one(&spec, c)).with_kind(kind)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
