//! The NEMSIS SchematronDevKit sample state rules load (Template.sch resolves its `sch:include`
//! of the national diagnostic), and run over an official test case.
//! Skipped (with "SKIPPED: ...") when `../shared` is absent.

use std::path::{Path, PathBuf};

use nemsis::schematron::{run, Dom, Schema};

fn devkit() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nemsis/v3.5.1/SchematronDevKit/rules");
    p.is_dir().then_some(p)
}

#[test]
fn sample_state_rules_load_and_run() {
    let Some(dir) = devkit() else {
        println!("SKIPPED: ../shared/nemsis/v3.5.1/SchematronDevKit not found");
        return;
    };
    for (file, dataset) in [("SampleEMSDataSet.sch", "EMS"), ("SampleDEMDataSet.sch", "DEM")] {
        let schema = Schema::load(&dir.join(file)).unwrap_or_else(|e| panic!("{e}"));
        println!(
            "{file}: {} patterns, {} rules, {} checks",
            schema.pattern_count(),
            schema.rule_count(),
            schema.check_count()
        );
        assert!(schema.rule_count() > 0);
        let case = dir.join(format!("../../SchematronTests/{dataset}/xml/{dataset}DataSet--Base.xml"));
        let dom = Dom::parse(&std::fs::read(&case).unwrap()).unwrap();
        let findings = run(&schema, &dom);
        for f in &findings {
            println!("  {} {} {}", f.id, f.role, f.location);
        }
        assert!(findings.iter().all(|f| f.role != "FATAL"), "evaluation errors in {file}");
    }
    let template = Schema::load(&dir.join("Template.sch")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(template.rule_count(), 0);
}
