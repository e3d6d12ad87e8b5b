"""Plain labels for the register's field names, for the details and the "what changed" lists."""

from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "title": _l("Title"), "summary": _l("Summary"), "description": _l("Description"), "purpose": _l("Purpose"),
    "themes": _l("Themes"), "legal_basis": _l("Legal basis"), "gdpr_ground": _l("Ground under the GDPR"),
    "art9_exception": _l("Exception for special categories of personal data"),
    "personal_data": _l("Personal data"), "data_categories": _l("Which data"), "data_subjects": _l("About whom"),
    "retention_period": _l("How long it is kept"), "retention_note": _l("About keeping the data"),
    "dpia": _l("Data protection impact assessment (DPIA)"), "assessments": _l("Other assessments"),
    "lifecycle": _l("Stage"), "start_date": _l("In use since"), "end_date": _l("In use until"),
    "review_date": _l("Next review"), "contact": _l("Contact"), "objection": _l("Objection or complaint"),
    "openness": _l("Openness"), "restriction_reason": _l("Why some details are not public"),
    "oversight_body": _l("Who supervises"), "links": _l("Related registrations"), "en": _l("English texts"),
    "provenance": _l("Source"), "state": _l("Status"), "withdrawal_reason": _l("Why it was withdrawn"),
    "organisation": _l("Organisation"), "kind": _l("Kind"), "theme": _l("Theme"),
    "sensor": _l("About the sensor"), "algorithm": _l("About the algorithm"), "agreement": _l("About the agreement"),
    "legal_basis.title": _l("Law or regulation"), "legal_basis.citation": _l("Article"), "url": _l("Link"),
    "dpia.status": _l("Status"), "dpia.date": _l("Date"), "dpia.reason": _l("Reason"), "dpia.summary": _l("Summary"),
    "assessments.type": _l("Assessment"), "assessments.status": _l("Status"), "assessments.date": _l("Date"),
    "assessments.summary": _l("Summary"), "objection.description": _l("How"), "name": _l("Name"),
    "sensor.operator.organisation": _l("Organisation code"), "sensor.opt_out.possible": _l("Possible"),
    "sensor.opt_out.how": _l("How"), "agreement.parties.side": _l("Side"), "agreement.parties.role": _l("Role"),
    "agreement.parties.organisation": _l("Organisation code"), "algorithm.inputs.source": _l("Source"),
    "algorithm.inputs.sensitive_proxy": _l("Could stand in for a sensitive trait"),
    "algorithm.supplier.country": _l("Country"), "algorithm.rights_test.result": _l("Result"),
    "algorithm.rights_test.assessor": _l("Assessed by"), "algorithm.rights_test.date": _l("Date"),
    "algorithm.error_rates.false_positive_rate": _l("Share wrongly flagged"),
    "algorithm.error_rates.false_negative_rate": _l("Share wrongly missed"),
    "algorithm.error_rates.accepted_margin": _l("Accepted margin"),
    "algorithm.error_rates.measured_on": _l("Measured on"),
    "algorithm.error_rates.people_wrongly_affected": _l("People wrongly affected"),
    "algorithm.error_rates.note": _l("Note"),
    "dpia_status": _l("DPIA"), "sensor_type": _l("Type of sensor"), "identifiability": _l("Can it identify people?"),
    # algorithm
    "algorithm.algorithm_type": _l("Type of algorithm"), "algorithm.self_learning": _l("Self-learning"),
    "algorithm.publication_category": _l("Publication category"), "algorithm.ai_act_class": _l("Class under the AI Act"),
    "algorithm.eu_database_ref": _l("EU database reference"), "algorithm.decision_role": _l("Role in decisions"),
    "algorithm.automated_decision": _l("Fully automated decision"),
    "algorithm.human_intervention": _l("Human intervention"), "algorithm.inputs": _l("Input data"),
    "algorithm.affected_groups": _l("Groups affected"), "algorithm.impact": _l("Impact"),
    "algorithm.proportionality": _l("Proportionality"), "algorithm.alternatives": _l("Alternatives considered"),
    "algorithm.risks": _l("Risks"), "algorithm.mitigations": _l("Measures against the risks"),
    "algorithm.rights_test": _l("Human rights assessment"), "algorithm.error_rates": _l("Error rates"),
    "algorithm.monitoring": _l("Monitoring"), "algorithm.supplier": _l("Supplier"), "algorithm.hosting": _l("Hosting"),
    "algorithm.source_code_url": _l("Source code"), "algorithm.processing_register_url": _l("Register of processing"),
    "algorithm.lars": _l("Algoritmeregister id"),
    # sensor
    "sensor.sensor_type": _l("Type of sensor"), "sensor.measures": _l("What it measures"),
    "sensor.location": _l("Location"), "sensor.location_description": _l("Where"),
    "sensor.location_withheld": _l("Location not public"), "sensor.device_count": _l("Number of devices"),
    "sensor.operator": _l("Operated by"), "sensor.identifiability": _l("Can it identify people?"),
    "sensor.processing": _l("Processing"), "sensor.access": _l("Who has access"),
    "sensor.storage_location": _l("Where the data is stored"),
    "sensor.influences_behaviour": _l("Meant to influence behaviour"), "sensor.opt_out": _l("Opting out"),
    "sensor.active_from": _l("Active from"), "sensor.active_until": _l("Active until"),
    "sensor.privacy_statement_url": _l("Privacy statement"),
    # agreement
    "agreement.parties": _l("Parties"), "agreement.direction": _l("Direction"),
    "agreement.legal_power": _l("Legal power"), "agreement.agreement_type": _l("Type of agreement"),
    "agreement.document_url": _l("The agreement itself"), "agreement.sharing_method": _l("How data is shared"),
    "agreement.frequency": _l("How often"), "agreement.security_measures": _l("Security measures"),
    "agreement.further_use": _l("Further use"), "agreement.areas": _l("Areas"),
}
# Codes in these fields come from the vocabulary of the same name, so their labels can be shown.
VOCABULARY_OF = {
    "themes": "theme", "gdpr_ground": "gdpr_ground", "art9_exception": "art9_exception",
    "personal_data": "personal_data", "lifecycle": "lifecycle", "openness": "openness", "state": "state",
    "kind": "kind", "algorithm_type": "algorithm_type", "publication_category": "publication_category",
    "ai_act_class": "ai_act_class", "decision_role": "decision_role", "hosting": "hosting",
    "sensor_type": "sensor_type", "identifiability": "identifiability", "processing": "data_processing",
    "direction": "direction", "agreement_type": "agreement_type", "sharing_method": "sharing_method",
    "frequency": "frequency", "status": None, "side": "party_side", "role": "party_role",
    "relation": "link_relation", "type": None,
    "dpia.status": "dpia_status", "assessments.status": "assessment_status", "assessments.type": "assessment_type",
}


def field_label(path: str) -> str:
    """The plain label of a field path such as 'sensor.measures': the whole path's, else its last part's."""
    leaf = path.rsplit(".", 1)[-1]
    return str(FIELD_LABELS.get(path) or FIELD_LABELS.get(leaf) or leaf.replace("_", " "))


def vocabulary_of(path: str) -> str | None:
    """The vocabulary whose codes a field path holds, if any."""
    return VOCABULARY_OF.get(path) or VOCABULARY_OF.get(path.rsplit(".", 1)[-1])
