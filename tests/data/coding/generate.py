#!/usr/bin/env python3
"""Writes the NEMSIS 3.5.1 EMSDataSet test documents of the ambulance-coding tests.

Every PatientCareReport starts from one clean base case (a ground, emergency, BLS transport
from a residence to an emergency department with complete billing documentation, which codes
to A0429-RH with 4.1 loaded miles and no finding) and changes only what its test is about.
`eRecord.01` (Patient Care Report Number) names the case; the tests look PCRs up by it.
The UUIDs are uuid5 of the case name, so regenerating gives the same bytes.

Run `python3 tests/data/coding/generate.py` from the crate root after changing a case, then
check the output with `../shared/tools/oracle/xsd-verdict tests/data/coding/*.xml`.
"""

import os
import uuid
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
NS = uuid.UUID("6b1d6a52-4c8e-5d0e-9a5c-0c0d1e2f3a4b")


class E:
    """An element value with attributes. E(nv=...) / E(pn=...) are nil unless a value is given."""

    def __init__(self, value=None, nv=None, pn=None, **attrs):
        self.value, self.attrs = value, dict(attrs)
        if nv:
            self.attrs["NV"] = nv
        if pn:
            self.attrs["PN"] = pn


NR = E(nv="7701003")  # Not Recorded
NA = E(nv="7701001")  # Not Applicable


def leaf(name, v, ind):
    pad = " " * ind
    if isinstance(v, E):
        attrs = "".join(f' {k}="{escape(str(a))}"' for k, a in v.attrs.items())
        if v.value is None:
            return f'{pad}<{name} xsi:nil="true"{attrs}/>\n'
        return f"{pad}<{name}{attrs}>{escape(v.value)}</{name}>\n"
    return f"{pad}<{name}>{escape(str(v))}</{name}>\n"


def emit(name, v, ind):
    """v: str/E (leaf), list (repeats of a leaf or of a group), dict (a group), None (omitted)."""
    if v is None:
        return ""
    if isinstance(v, list):
        return "".join(emit(name, x, ind) for x in v)
    if isinstance(v, dict):
        body = "".join(emit(k, x, ind + 3) for k, x in v.items())
        return f"{' ' * ind}<{name}>\n{body}{' ' * ind}</{name}>\n"
    return leaf(name, v, ind)


def group(order, values):
    """An ordered group: `order` lists the children in XSD order; absent ones are omitted."""
    return {k: values[k] for k in order if k in values}


# --- the base case -------------------------------------------------------------------------


def base():
    """Flat element → value map of the clean case (group children are flat keys too)."""
    return {
        # eResponse
        "eResponse.01": "TST-0001", "eResponse.02": "Coding Test Ambulance",
        "eResponse.03": "INC-1", "eResponse.04": "RSP-1",
        "eResponse.05": "2205001", "eResponse.07": "2207015",
        "eResponse.08": NR, "eResponse.09": NR, "eResponse.10": NR, "eResponse.11": NR, "eResponse.12": NR,
        "eResponse.13": "M12", "eResponse.14": "Medic 12",
        "eResponse.19": "998.50", "eResponse.20": "1000.00", "eResponse.21": "1004.04", "eResponse.22": "1008.00",
        "eResponse.23": "2223001", "eResponse.24": ["2224015"],
        # eDispatch
        "eDispatch.01": "2301013", "eDispatch.02": NR,
        # eCrew: list of levels (one CrewGroup each); None = no eCrew section
        "crew": ["9925007", "9925005"],
        # eTimes
        "eTimes.01": "2025-03-01T10:00:00-05:00", "eTimes.03": "2025-03-01T10:01:00-05:00",
        "eTimes.05": "2025-03-01T10:02:00-05:00", "eTimes.06": "2025-03-01T10:10:00-05:00",
        "eTimes.07": "2025-03-01T10:12:00-05:00", "eTimes.09": "2025-03-01T10:30:00-05:00",
        "eTimes.11": "2025-03-01T10:45:00-05:00", "eTimes.12": "2025-03-01T10:50:00-05:00",
        "eTimes.13": "2025-03-01T11:05:00-05:00",
        # ePatient (no identity: everything not recorded)
        "ePatient.07": NR, "ePatient.08": NR, "ePatient.09": NR, "ePatient.14": NR,
        "ePatient.15": NR, "ePatient.16": NR,
        # ePayment
        "ePayment.01": "2601001", "ePayment.50": "2650009",
        # eScene
        "eScene.01": NR, "eScene.06": NR, "eScene.07": NR, "eScene.08": NR,
        "eScene.09": "Y92.009", "eScene.11": "41.400,-73.400", "eScene.15": "12 Elm Street",
        "eScene.18": "09", "eScene.19": "06810", "eScene.21": "09001",
        # eSituation
        "eSituation.01": NR, "eSituation.02": NR, "eSituation.07": NR, "eSituation.08": NR,
        "eSituation.09": "R07.9", "eSituation.10": [NR], "eSituation.11": "I21.4", "eSituation.12": [NR],
        "eSituation.13": "2813003", "eSituation.18": NR, "eSituation.20": NR,
        # eInjury
        "eInjury.01": [NR], "eInjury.03": [NR], "eInjury.04": [NR],
        # eArrest
        "eArrest.01": "3001001", "eArrest.18": NR,
        # eNarrative (None = no section)
        "eNarrative.01": None,
        # eMedications / eProcedures: lists of dicts (see med() / proc()); [] = one NV group
        "meds": [], "procs": [],
        # eDisposition
        "eDisposition.01": "Test General Hospital", "eDisposition.03": "100 Hospital Avenue",
        "eDisposition.05": "09", "eDisposition.06": "09001", "eDisposition.07": "06810",
        "eDisposition.09": "41.410,-73.420",
        "eDisposition.11": "1",
        "eDisposition.27": "4227001", "eDisposition.28": "4228001", "eDisposition.29": "4229001",
        "eDisposition.30": "4230001",
        "eDisposition.16": "4216005", "eDisposition.17": "4217001", "eDisposition.18": [NR],
        "eDisposition.19": NR, "eDisposition.20": ["4220001"], "eDisposition.21": "4221003",
        "eDisposition.22": NR, "eDisposition.23": [NR], "eDisposition.32": NR,
        # eOther: signature groups (see sig()); [] = no eOther section
        "sigs": [sig("4512015", ["4513005"], "4515031")],
    }


def med(code, route, prior="9923001", other=None, role="9905007", pn=None, route_pn=None):
    """A medication group: RxNorm (or SNOMED for blood products) code and route."""
    return {"code": code, "route": route, "prior": prior, "other": other, "role": role, "pn": pn, "route_pn": route_pn}


def proc(code, prior="9923001", success="9923003", other=None, role="9905007", pn=None):
    """A procedure group."""
    return {"code": code, "prior": prior, "success": success, "other": other, "role": role, "pn": pn}


def sig(kind, reasons, status):
    """A signature group: eOther.12 type, eOther.13 reasons, eOther.15 status."""
    return {"kind": kind, "reasons": reasons, "status": status}


# --- building a PCR --------------------------------------------------------------------------


def pcr(case_id, overrides, note):
    v = base()
    v.update(overrides)
    g = lambda order: group(order, v)
    sections = {}
    sections["eRecord"] = {
        "eRecord.01": case_id,
        "eRecord.SoftwareApplicationGroup": {"eRecord.02": "nemsis crate", "eRecord.03": "coding tests", "eRecord.04": "1"},
    }
    sections["eResponse"] = {
        "eResponse.AgencyGroup": g(["eResponse.01", "eResponse.02"]),
        **g(["eResponse.03", "eResponse.04"]),
        "eResponse.ServiceGroup": g(["eResponse.05", "eResponse.06"]),
        **g(["eResponse.07", "eResponse.08", "eResponse.09", "eResponse.10", "eResponse.11", "eResponse.12",
             "eResponse.13", "eResponse.14", "eResponse.16", "eResponse.17", "eResponse.18", "eResponse.19",
             "eResponse.20", "eResponse.21", "eResponse.22", "eResponse.23", "eResponse.24"]),
    }
    sections["eDispatch"] = g(["eDispatch.01", "eDispatch.02"])
    if v["crew"] is not None:
        sections["eCrew"] = {"eCrew.CrewGroup": [{"eCrew.01": f"C{i + 1}", "eCrew.02": lvl} for i, lvl in enumerate(v["crew"])]}
    sections["eTimes"] = g([f"eTimes.{i:02d}" for i in range(1, 18)])
    sections["ePatient"] = {**g(["ePatient.07", "ePatient.08", "ePatient.09", "ePatient.14"]),
                            "ePatient.AgeGroup": g(["ePatient.15", "ePatient.16"])}
    cert = g(["ePayment.02", "ePayment.03", "ePayment.04", "ePayment.05"])
    sections["ePayment"] = {
        "ePayment.01": v["ePayment.01"],
        "ePayment.CertificateGroup": cert or None,
        **g(["ePayment.40", "ePayment.41", "ePayment.42", "ePayment.44", "ePayment.47", "ePayment.48", "ePayment.49",
             "ePayment.50", "ePayment.51", "ePayment.52"]),
    }
    sections["eScene"] = g(["eScene.01", "eScene.05", "eScene.06", "eScene.07", "eScene.08", "eScene.09", "eScene.10",
                            "eScene.11", "eScene.12", "eScene.13", "eScene.14", "eScene.15", "eScene.16", "eScene.17",
                            "eScene.18", "eScene.19", "eScene.20", "eScene.21"])
    sections["eSituation"] = g(["eSituation.01", "eSituation.02", "eSituation.07", "eSituation.08", "eSituation.09",
                                "eSituation.10", "eSituation.11", "eSituation.12", "eSituation.13", "eSituation.18",
                                "eSituation.20"])
    sections["eInjury"] = g(["eInjury.01", "eInjury.03", "eInjury.04"])
    sections["eArrest"] = {
        "eArrest.01": v["eArrest.01"], "eArrest.02": NR, "eArrest.03": NR, "eArrest.04": NR, "eArrest.07": NR,
        "eArrest.09": NR, "eArrest.11": NR, "eArrest.12": NR, "eArrest.14": NR, "eArrest.16": NR, "eArrest.17": NR,
        "eArrest.18": v["eArrest.18"], "eArrest.20": NR, "eArrest.21": NR, "eArrest.22": NR,
    }
    sections["eHistory"] = {"eHistory.01": NR, "eHistory.17": NR}
    if v["eNarrative.01"] is not None:
        sections["eNarrative"] = {"eNarrative.01": v["eNarrative.01"]}
    sections["eVitals"] = {"eVitals.VitalGroup": {
        "eVitals.01": NR, "eVitals.02": NR,
        "eVitals.CardiacRhythmGroup": {"eVitals.03": NR, "eVitals.04": NR, "eVitals.05": NR},
        "eVitals.BloodPressureGroup": {"eVitals.06": NR}, "eVitals.HeartRateGroup": {"eVitals.10": NR},
        "eVitals.12": NR, "eVitals.14": NR, "eVitals.16": NR, "eVitals.18": NR,
        "eVitals.GlasgowScoreGroup": {"eVitals.19": NR, "eVitals.20": NR, "eVitals.21": NR, "eVitals.22": NR},
        "eVitals.26": NR, "eVitals.PainScaleGroup": {"eVitals.27": NR},
        "eVitals.StrokeScaleGroup": {"eVitals.29": NR, "eVitals.30": NR}, "eVitals.31": NR}}
    sections["eProtocols"] = {"eProtocols.ProtocolGroup": {"eProtocols.01": NR}}
    mgroups = []
    for m in v["meds"] or [None]:
        if m is None:
            mgroups.append({"eMedications.01": NR, "eMedications.02": NR, "eMedications.03": NR, "eMedications.04": NR,
                            "eMedications.DosageGroup": {"eMedications.05": NR, "eMedications.06": NR},
                            "eMedications.07": NR, "eMedications.08": [NR], "eMedications.10": NR})
            continue
        code_type = "9924005" if len(m["code"]) > 7 else "9924003"
        mgroups.append({
            "eMedications.01": "2025-03-01T10:20:00-05:00",
            "eMedications.02": m["prior"],
            "eMedications.03": E(m["code"], pn=m["pn"], CodeType=code_type),
            "eMedications.04": E(None, pn=m["route_pn"]) if m["route_pn"] else (m["route"] if m["route"] else NR),
            "eMedications.DosageGroup": {"eMedications.05": "1", "eMedications.06": "3706005"},
            "eMedications.07": "9916001", "eMedications.08": ["3708031"],
            "eMedications.10": m["role"],
            "eMedications.13": m["other"],
        })
    sections["eMedications"] = {"eMedications.MedicationGroup": mgroups}
    pgroups = []
    for p in v["procs"] or [None]:
        if p is None:
            pgroups.append({"eProcedures.01": NR, "eProcedures.02": NR, "eProcedures.03": NR, "eProcedures.05": NR,
                            "eProcedures.06": NR, "eProcedures.07": [NR], "eProcedures.08": NR, "eProcedures.10": NR})
            continue
        pgroups.append({
            "eProcedures.01": "2025-03-01T10:18:00-05:00",
            "eProcedures.02": p["prior"],
            "eProcedures.03": E(p["code"], pn=p["pn"]),
            "eProcedures.05": "1",
            "eProcedures.06": p["success"],
            "eProcedures.07": ["3907033"],
            "eProcedures.08": "9916001",
            "eProcedures.10": p["role"],
            "eProcedures.15": p["other"],
        })
    sections["eProcedures"] = {"eProcedures.ProcedureGroup": pgroups}
    sections["eDisposition"] = {
        "eDisposition.DestinationGroup": g(["eDisposition.01", "eDisposition.02", "eDisposition.03", "eDisposition.04",
                                            "eDisposition.05", "eDisposition.06", "eDisposition.07", "eDisposition.08",
                                            "eDisposition.09"]),
        **g(["eDisposition.11"]),
        "eDisposition.IncidentDispositionGroup": g(["eDisposition.27", "eDisposition.28", "eDisposition.29", "eDisposition.30"]),
        **g(["eDisposition.16", "eDisposition.17", "eDisposition.18", "eDisposition.19", "eDisposition.20",
             "eDisposition.21", "eDisposition.22", "eDisposition.23"]),
        "eDisposition.HospitalTeamActivationGroup": {"eDisposition.24": NR, "eDisposition.25": NR},
        "eDisposition.32": v["eDisposition.32"],
    }
    sections["eOutcome"] = {
        "eOutcome.01": NR, "eOutcome.02": NR,
        "eOutcome.EmergencyDepartmentProceduresGroup": {"eOutcome.09": NR, "eOutcome.19": NR},
        "eOutcome.10": NR, "eOutcome.11": NR,
        "eOutcome.HospitalProceduresGroup": {"eOutcome.12": NR, "eOutcome.20": NR},
        "eOutcome.13": NR, "eOutcome.16": NR, "eOutcome.18": NR,
    }
    if v["sigs"]:
        sections["eOther"] = {"eOther.SignatureGroup": [
            {k: x for k, x in (("eOther.12", s["kind"]), ("eOther.13", s["reasons"]), ("eOther.15", s["status"])) if x}
            for s in v["sigs"]]}
    body = "".join(emit(k, x, 9) for k, x in sections.items())
    uid = uuid.uuid5(NS, case_id)
    comment = f"      <!-- {case_id}: {escape(note)} -->\n"
    return f'{comment}      <PatientCareReport UUID="{uid}">\n{body}      </PatientCareReport>\n'


def document(name, headers, title):
    """headers: list of lists of (case_id, overrides, note)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n',
           f"<!-- Ambulance-coding test document: {escape(title)}. Generated by generate.py; do not edit by hand. -->\n",
           '<EMSDataSet xmlns="http://www.nemsis.org" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://www.nemsis.org https://nemsis.org/media/nemsis_v3/3.5.1.250403CP1/XSDs/NEMSIS_XSDs/EMSDataSet_v3.xsd">\n']
    for hi, cases in enumerate(headers):
        out.append("   <Header>\n      <DemographicGroup>\n")
        out.append(f"         <dAgency.01>TST{hi + 1}</dAgency.01>\n         <dAgency.02>TST-000{hi + 1}</dAgency.02>\n")
        out.append("         <dAgency.04>09</dAgency.04>\n      </DemographicGroup>\n")
        for case_id, overrides, note in cases:
            out.append(pcr(case_id, overrides, note))
        out.append("   </Header>\n")
    out.append("</EMSDataSet>\n")
    with open(os.path.join(HERE, name), "w") as f:
        f.write("".join(out))


if __name__ == "__main__":
    # Import this file as `generate` too, so cases.py and the writer share one E class.
    import generate  # noqa: E402
    import cases  # noqa: E402  (the case tables, next to this file)

    for name, title, headers in cases.DOCUMENTS:
        generate.document(name, headers, title)
        print(f"wrote {name}: {sum(len(h) for h in headers)} PCR(s)")
