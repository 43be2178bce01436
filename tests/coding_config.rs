//! The jurisdiction configuration (ambulance-coding.md §3.4): embedded defaults, TOML overrides
//! of single keys, and clear errors naming the key.

use nemsis::coding::{Config, DestinationEntry, ProviderArrangement};

fn set(v: &[&str]) -> std::collections::BTreeSet<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn defaults_are_the_spec_defaults() {
    let c = Config::default();
    assert_eq!(c.emergency_response_modes, set(&["2223001", "2223003", "2223007"]));
    assert_eq!(c.als_crew_levels, set(&["9925001", "9925002", "9925007", "9925027", "9925033", "9925035", "9925037", "9925039", "9925043"]));
    assert_eq!(c.sct_crew_levels, set(&["9925027", "9925029", "9925033", "9925037", "9925039", "9925043"]));
    assert_eq!(c.sct_provider_codes, set(&["2642003", "2642005", "2642007", "2642009", "2642031", "2642035", "2642039"]));
    assert_eq!(c.als_procedures.len(), 27);
    assert!(!c.als_procedures.contains("450661000124102"), "AED is BLS scope");
    assert_eq!(c.als2_procedures, set(&["426220008", "250980009", "232674004", "450601000124103", "241689008", "18590009", "182705007", "430824005"]));
    assert_eq!(c.als2_routes, set(&["9927023", "9927021", "9927069", "9927061", "9927075"]));
    assert_eq!(c.als2_excluded_medications, set(&["313002", "1008377", "1795477", "260258", "237653"]));
    assert_eq!(c.bls_medications.len(), 7);
    assert_eq!(c.bls_medications["7806"], set(&["*"]));
    assert_eq!(c.bls_medications["4850"], set(&["9927035", "9927003"]));
    assert_eq!(c.sct_procedures.len(), 6);
    assert_eq!(c.sct_medications.len(), 13);
    assert!(c.count_unsuccessful_procedures && c.bls_may_defibrillate && c.medicare_bundles_supplies);
    assert_eq!(c.provider_arrangement, ProviderArrangement::None);
    assert_eq!(c.origin_map.len(), 6);
    assert_eq!(c.origin_map["Y92.531"], "P");
    assert_eq!(c.destination_map["4221041"], DestinationEntry::Letter("N".into()));
    assert_eq!(c.destination_map["4221009"], DestinationEntry::NotCovered);
    assert_eq!(c.destination_map["4221013"], DestinationEntry::Unknown);
    assert_eq!(c.destination_map.len(), 20);
    assert_eq!(c.max_diagnoses, 12);
    assert_eq!(c.earth_radius_miles, 3958.8);
    assert_eq!(Config::from_toml_str("").unwrap(), c);
    assert_eq!(Config::from_toml_str("# only a comment\n").unwrap(), c);
}

#[test]
fn each_key_overrides_only_itself() {
    let c = Config::from_toml_str(
        r#"
        bls_may_defibrillate = false
        provider_arrangement = "QN"
        als2_excluded_medications = ["313002", "1008377", "1795477"]
        bls_medications = { "7806" = ["*"], "1191" = ["9927035", "9927047"] }
        destination_map = { "4221033" = "N", "4221009" = "unknown" }
        origin_map = { "Y92.12" = "N" }
        max_diagnoses = 4
        earth_radius_miles = 3959
        "#,
    )
    .unwrap();
    let d = Config::default();
    assert!(!c.bls_may_defibrillate);
    assert_eq!(c.provider_arrangement, ProviderArrangement::QN);
    assert_eq!(c.als2_excluded_medications, set(&["313002", "1008377", "1795477"]));
    assert_eq!(c.bls_medications.len(), 2, "bls_medications replaces the default table");
    // maps: entries override one by one, the rest stay
    assert_eq!(c.destination_map["4221033"], DestinationEntry::Letter("N".into()));
    assert_eq!(c.destination_map["4221009"], DestinationEntry::Unknown);
    assert_eq!(c.destination_map["4221001"], DestinationEntry::Letter("R".into()));
    assert_eq!(c.destination_map.len(), 20);
    assert_eq!(c.origin_map["Y92.12"], "N");
    assert_eq!(c.origin_map["Y92.0"], "R");
    assert_eq!(c.max_diagnoses, 4);
    assert_eq!(c.earth_radius_miles, 3959.0);
    // untouched keys keep their defaults
    assert_eq!(c.als_procedures, d.als_procedures);
    assert_eq!(c.emergency_response_modes, d.emergency_response_modes);
    assert!(c.count_unsuccessful_procedures && c.medicare_bundles_supplies);
    let q = Config::from_toml_str("provider_arrangement = \"QM\"\ncount_unsuccessful_procedures = false\nmedicare_bundles_supplies = false").unwrap();
    assert_eq!(q.provider_arrangement, ProviderArrangement::QM);
    assert!(!q.count_unsuccessful_procedures && !q.medicare_bundles_supplies);
    assert_eq!(Config::from_toml_str("provider_arrangement = \"none\"").unwrap().provider_arrangement, ProviderArrangement::None);
}

fn err(toml: &str) -> String {
    Config::from_toml_str(toml).expect_err(toml)
}

#[test]
fn errors_name_the_key() {
    let e = err("bls_may_defib = false");
    assert!(e.contains("unknown key \"bls_may_defib\"") && e.contains("bls_may_defibrillate"), "{e}");
    let e = err("bls_may_defibrillate = \"no\"");
    assert!(e.starts_with("bls_may_defibrillate:") && e.contains("true or false") && e.contains("string"), "{e}");
    let e = err("als_procedures = [392230005]");
    assert!(e.starts_with("als_procedures:") && e.contains("item 0") && e.contains("integer"), "{e}");
    let e = err("als2_routes = \"9927023\"");
    assert!(e.starts_with("als2_routes:") && e.contains("array"), "{e}");
    let e = err("provider_arrangement = \"QX\"");
    assert!(e.starts_with("provider_arrangement:") && e.contains("QX"), "{e}");
    let e = err("provider_arrangement = 1");
    assert!(e.starts_with("provider_arrangement:"), "{e}");
    let e = err("destination_map = { \"4221033\" = \"Z\" }");
    assert!(e.starts_with("destination_map.4221033:") && e.contains("\"Z\""), "{e}");
    let e = err("origin_map = { \"Y92.12\" = \"X\" }");
    assert!(e.starts_with("origin_map.Y92.12:"), "{e}");
    let e = err("origin_map = [\"Y92\"]");
    assert!(e.starts_with("origin_map:") && e.contains("table"), "{e}");
    let e = err("bls_medications = { \"7806\" = \"*\" }");
    assert!(e.starts_with("bls_medications.7806:"), "{e}");
    let e = err("max_diagnoses = 0");
    assert!(e.starts_with("max_diagnoses:"), "{e}");
    let e = err("max_diagnoses = 2.5");
    assert!(e.starts_with("max_diagnoses:") && e.contains("integer"), "{e}");
    let e = err("earth_radius_miles = -1.0");
    assert!(e.starts_with("earth_radius_miles:"), "{e}");
    let e = err("earth_radius_miles = \"big\"");
    assert!(e.starts_with("earth_radius_miles:"), "{e}");
    let e = err("[section]\nkey = 1");
    assert!(e.contains("unknown key \"section\""), "{e}");
    let e = err("bls_may_defibrillate = \n");
    assert!(e.contains("not valid TOML (line 1)"), "{e}");
}

#[test]
fn from_file_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("jurisdiction.toml");
    std::fs::write(&p, "bls_may_defibrillate = false\nprovider_arrangement = \"QN\"\n").unwrap();
    let c = Config::from_file(&p).unwrap();
    assert!(!c.bls_may_defibrillate);
    std::fs::write(&p, "provider_arrangment = \"QN\"\n").unwrap();
    let e = Config::from_file(&p).unwrap_err();
    assert!(e.contains("jurisdiction.toml") && e.contains("provider_arrangment"), "{e}");
    let e = Config::from_file(&dir.path().join("missing.toml")).unwrap_err();
    assert!(e.contains("missing.toml") && e.contains("cannot read"), "{e}");
}
