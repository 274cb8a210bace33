"""What question answering relies on by name, in one place: the graph's classes it tells things apart by,
and the named queries it composes answers from (the variables it reads from their rows are in
`kg.catalogue.contract.READS`)."""

from __future__ import annotations

from kg.terms import NKG

# classes of the graph
MODALITY = NKG + "Modality"
MODALITY_CURIE = "nkg:Modality"  # as a query header names the class of a parameter
CONDITION = "http://schema.org/MedicalCondition"
CATEGORY = NKG + "ConditionCategory"  # a broad complaint: stress, pain
PERFORMER = NKG + "PractitionerType"
BENEFIT = NKG + "Benefit"
TECHNIQUE = NKG + "Technique"
RELATED = NKG + "RelatedPractice"  # massage, physical therapy: practices beside the modalities
MEDICINE_SYSTEM = "http://schema.org/MedicineSystem"  # an origin: Traditional Chinese, Western conventional
APPROACH = NKG + "Approach"  # holistic, evidence-based
ASKER_ROLE = NKG + "AskerRole"
COUNTS = (
    NKG + "counts"
)  # "how many acupuncture points": a count the article does not give  # an uncovered topic people describe themselves by

# named queries
DESCRIBE = "describe_resource"
CLAIMS = "claims_about"
HOW = "mechanisms_of_modality"
COST = "cost_of_modality"
RISKS = "risks_of_modality"
FACTORS = "cost_factors"
UNDER = "treatments_under_price"
TREATMENTS = "treatments_for_condition"
CONDITIONS = "conditions_of_modality"
TECHNIQUES = "techniques_of_modality"
PRACTITIONERS = "practitioners_of_modality"
CHEAPEST = "cheapest_modality"
COMPARE = "compare_modalities"
COMMON = "common_ground"
CHOOSE = "choice_factors"
FIT = "modality_fit"
WHICH = "modalities_with_property"
