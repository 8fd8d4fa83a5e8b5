//! Schema validation of one response, as the checker does it for every response of a run:
//! the compiled JSON Schema plus the walk for writeOnly and undocumented fields.
//!
//! The bodies are what the emulator really answers, so the figures hold for the suite's own
//! traffic. Target: under 20 µs per response.

mod common;

use std::time::Duration;

use axum::http::Method;
use criterion::{Criterion, criterion_group, criterion_main};
use ontap_conform::check::{self, Response};
use ontap_conform::spec::{Direction, Spec};
use serde_json::{Value, json};

/// Two CHAP credentials with address ranges besides the two `default` ones, read with
/// `fields=*` as a collection; one of them read alone; and one finished security job.
fn bodies() -> (Value, Value, Value) {
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    rt.block_on(async {
        let router = common::router();
        for i in [0, 2] {
            let (status, body) = common::call(
                &router,
                Method::POST,
                common::CREDENTIALS,
                Some(common::credential_body(i)),
            )
            .await;
            assert_eq!(status, 201, "seeding a credential: {body}");
        }
        let (status, collection) = common::call(
            &router,
            Method::GET,
            &format!("{}?fields=*", common::CREDENTIALS),
            None,
        )
        .await;
        assert_eq!(status, 200, "{collection}");
        let (status, one) = common::call(
            &router,
            Method::GET,
            &format!("{}?fields=*", common::credential_path(0)),
            None,
        )
        .await;
        assert_eq!(status, 200, "{one}");
        let (status, patch) = common::call(
            &router,
            Method::PATCH,
            "/api/security",
            Some(json!({"fips": {"enabled": true}})),
        )
        .await;
        assert_eq!(status, 202, "{patch}");
        let href = patch["job"]["_links"]["self"]["href"]
            .as_str()
            .expect("a job link")
            .to_string();
        // The job is queued, then running, for job_step_ms (20 ms) each.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (status, job) = common::call(&router, Method::GET, &href, None).await;
        assert_eq!(status, 200, "{job}");
        assert_eq!(job["state"], "success", "{job}");
        (collection, one, job)
    })
}

fn bench(c: &mut Criterion) {
    let spec = Spec::load(None).expect("the embedded spec loads");
    let (collection, one, job) = bodies();
    let list = spec
        .operation("GET", "/api/protocols/san/iscsi/credentials")
        .expect("the spec has the iSCSI collection GET");
    let get_job = spec
        .operation("GET", "/api/cluster/jobs/{uuid}")
        .expect("the spec has the job GET");
    let list_schema = list
        .response_for(200)
        .and_then(|r| r.schema())
        .expect("a 200 schema");
    let get_one = spec
        .operation(
            "GET",
            "/api/protocols/san/iscsi/credentials/{svm.uuid}/{initiator}",
        )
        .expect("the spec has the iSCSI credential GET");
    let one_schema = get_one
        .response_for(200)
        .and_then(|r| r.schema())
        .expect("a 200 schema");
    let job_schema = get_job
        .response_for(200)
        .and_then(|r| r.schema())
        .expect("a 200 schema");
    // A bench of the failure path would measure error formatting, not validation.
    assert!(
        list_schema
            .validate(&collection, Direction::Response, false)
            .is_empty(),
        "the emulator's collection should validate cleanly"
    );
    assert!(
        one_schema
            .validate(&one, Direction::Response, false)
            .is_empty(),
        "the emulator's credential should validate cleanly"
    );
    assert!(
        job_schema
            .validate(&job, Direction::Response, false)
            .is_empty(),
        "the emulator's job should validate cleanly"
    );

    let mut g = c.benchmark_group("validate");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("iscsi_collection_4_records", |b| {
        b.iter(|| list_schema.validate(&collection, Direction::Response, false))
    });
    g.bench_function("iscsi_credential_chap", |b| {
        b.iter(|| one_schema.validate(&one, Direction::Response, false))
    });
    g.bench_function("job", |b| {
        b.iter(|| job_schema.validate(&job, Direction::Response, false))
    });
    // What the runner calls per response: status, expectations (none here) and the schema.
    let resp = Response {
        status: 200,
        headers: vec![("content-type".into(), "application/hal+json".into())],
        body: Some(collection.clone()),
        body_error: None,
    };
    g.bench_function("check_iscsi_collection", |b| {
        b.iter(|| check::check(list, None, &resp))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
