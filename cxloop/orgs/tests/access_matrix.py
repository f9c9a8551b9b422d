"""The written access matrix: what every role gets from every URL, per organisation.

Who asks (all hold their role in Leasewijs, the owner of the journey type "schade-melden"):
anonymous; employee Anouk (agent in Team Noord); team lead Lotte (lead of Team Noord, also an
employee); org admin Olivia; journey owner Jolien; analyst Anton; privacy officer Pia (the last
four organisation-wide, without an employee record).

What is asked: each URL with the object of one organisation - "own" (Leasewijs), "partner"
(Belcentrum, same chain, shares the journey type under an agreement), "outsider" (Elders, another
chain) - or "-" for a URL without an organisation's object. "ask" is GET, or POST with an empty
form (rolled back) for URLs that only take a POST: then 404 means no access, while 302, 400, 409
or 422 mean the request reached the step and only its input was refused.

Outcomes: the status code, or "login" for a redirect to the login page. Every rule here follows
from the capability table in cxloop/orgs/capabilities.py, described in docs/access.md.
"""

from typing import NamedTuple

ROLES = (
    "anonymous",
    "employee",
    "team_lead",
    "org_admin",
    "journey_owner",
    "analyst",
    "privacy_officer",
)
ORGANISATIONS = ("own", "partner", "outsider")

MATRIX = """
# url                            org       ask   anon   empl   lead   admin  owner  analys privac

# Dashboards: VIEW_OWN_SCORES (employee record), VIEW_TEAM, VIEW_ORGANISATION; coaching: COACH
home                             -         GET   login  302    302    302    302    302    200
my_dashboard                     -         GET   login  200    200    404    404    404    404
employee_dashboard               own       GET   login  404    200    200    200    200    404
employee_dashboard               partner   GET   login  404    404    404    404    404    404
employee_dashboard               outsider  GET   login  404    404    404    404    404    404
coaching_add                     own       POST  login  404    302    302    302    302    404
coaching_add                     partner   POST  login  404    404    404    404    404    404
coaching_add                     outsider  POST  login  404    404    404    404    404    404
unit_dashboard                   own       GET   login  404    200    200    200    200    404
unit_dashboard                   partner   GET   login  404    404    404    404    404    404
unit_dashboard                   outsider  GET   login  404    404    404    404    404    404
organisation_dashboard           own       GET   login  404    404    200    200    200    404
organisation_dashboard           partner   GET   login  404    404    404    404    404    404
organisation_dashboard           outsider  GET   login  404    404    404    404    404    404
organisation_analysis            own       GET   login  404    404    200    200    200    404
organisation_analysis            partner   GET   login  404    404    404    404    404    404
organisation_analysis            outsider  GET   login  404    404    404    404    404    404
unit_analysis                    own       GET   login  404    200    200    200    200    404
unit_analysis                    partner   GET   login  404    404    404    404    404    404
unit_analysis                    outsider  GET   login  404    404    404    404    404    404
chain_dashboard                  -         GET   login  200    200    200    200    200    200
journey_dashboard                own       GET   login  404    404    200    200    200    404
journey_dashboard                partner   GET   login  404    404    404    404    404    404
journey_dashboard                outsider  GET   login  404    404    404    404    404    404
journey_analysis                 own       GET   login  404    404    200    200    200    404
journey_analysis                 partner   GET   login  404    404    404    404    404    404
journey_analysis                 outsider  GET   login  404    404    404    404    404    404

# Follow-up cases: WORK_OWN_CASES (assignee), MANAGE_CASES, FOLLOW_JOURNEY_CASES. The own case is
# about Bram (not the asking employee) and assigned to Lotte; the partner's case is about Pim, lies in
# Leasewijs's journey and is Belcentrum's to handle: the journey owner reads it (the agreement's
# default, owner_case_access "read") but takes no step on it.
# Steps are POSTed with an empty form: 404 is no access, 409/422 is access with a refused step.
inbox                            -         GET   login  200    200    200    200    200    200
case_detail                      own       GET   login  404    200    200    200    404    404
case_detail                      partner   GET   login  404    404    404    200    404    404
case_detail                      outsider  GET   login  404    404    404    404    404    404
case_contact                     own       POST  login  404    422    422    422    404    404
case_contact                     partner   POST  login  404    404    404    404    404    404
case_contact                     outsider  POST  login  404    404    404    404    404    404
case_start                       own       POST  login  404    302    302    302    404    404
case_start                       partner   POST  login  404    404    404    404    404    404
case_start                       outsider  POST  login  404    404    404    404    404    404
case_wait                        own       POST  login  404    302    302    302    404    404
case_wait                        partner   POST  login  404    404    404    404    404    404
case_wait                        outsider  POST  login  404    404    404    404    404    404
case_resume                      own       POST  login  404    409    409    409    404    404
case_resume                      partner   POST  login  404    404    404    404    404    404
case_resume                      outsider  POST  login  404    404    404    404    404    404
case_resolve                     own       POST  login  404    422    422    422    404    404
case_resolve                     partner   POST  login  404    404    404    404    404    404
case_resolve                     outsider  POST  login  404    404    404    404    404    404
case_inform                      own       POST  login  404    422    422    422    404    404
case_inform                      partner   POST  login  404    404    404    404    404    404
case_inform                      outsider  POST  login  404    404    404    404    404    404
case_close                       own       POST  login  404    409    409    409    404    404
case_close                       partner   POST  login  404    404    404    404    404    404
case_close                       outsider  POST  login  404    404    404    404    404    404
case_reopen                      own       POST  login  404    409    409    409    404    404
case_reopen                      partner   POST  login  404    404    404    404    404    404
case_reopen                      outsider  POST  login  404    404    404    404    404    404
case_note                        own       POST  login  404    409    409    409    404    404
case_note                        partner   POST  login  404    404    404    404    404    404
case_note                        outsider  POST  login  404    404    404    404    404    404
case_reassign                    own       POST  login  404    422    422    422    404    404
case_reassign                    partner   POST  login  404    404    404    404    404    404
case_reassign                    outsider  POST  login  404    404    404    404    404    404
inbox_reassign                   -         POST  login  422    422    422    422    422    422
case_kpis                        -         GET   login  200    200    200    200    200    404

# Follow-up settings: CONFIGURE_FOLLOWUP
followup_settings_index          -         GET   login  404    404    302    302    404    404
followup_settings                own       GET   login  404    404    200    200    404    404
followup_settings                partner   GET   login  404    404    404    404    404    404
followup_settings                outsider  GET   login  404    404    404    404    404    404
followup_rule_new                own       GET   login  404    404    200    200    404    404
followup_rule_new                partner   GET   login  404    404    404    404    404    404
followup_rule_new                outsider  GET   login  404    404    404    404    404    404
followup_rule_edit               own       GET   login  404    404    200    200    404    404
followup_rule_edit               partner   GET   login  404    404    404    404    404    404
followup_rule_edit               outsider  GET   login  404    404    404    404    404    404
followup_queue_new               own       GET   login  404    404    200    200    404    404
followup_queue_new               partner   GET   login  404    404    404    404    404    404
followup_queue_new               outsider  GET   login  404    404    404    404    404    404
followup_queue_edit              own       GET   login  404    404    200    200    404    404
followup_queue_edit              partner   GET   login  404    404    404    404    404    404
followup_queue_edit              outsider  GET   login  404    404    404    404    404    404
followup_sla_new                 own       GET   login  404    404    200    200    404    404
followup_sla_new                 partner   GET   login  404    404    404    404    404    404
followup_sla_new                 outsider  GET   login  404    404    404    404    404    404
followup_sla_edit                own       GET   login  404    404    200    200    404    404
followup_sla_edit                partner   GET   login  404    404    404    404    404    404
followup_sla_edit                outsider  GET   login  404    404    404    404    404    404
followup_sla_delete              own       POST  login  404    404    302    302    404    404
followup_sla_delete              partner   POST  login  404    404    404    404    404    404
followup_sla_delete              outsider  POST  login  404    404    404    404    404    404
followup_hours                   own       GET   login  404    404    200    200    404    404
followup_hours                   partner   GET   login  404    404    404    404    404    404
followup_hours                   outsider  GET   login  404    404    404    404    404    404
followup_root_causes             own       GET   login  404    404    200    200    404    404
followup_root_causes             partner   GET   login  404    404    404    404    404    404
followup_root_causes             outsider  GET   login  404    404    404    404    404    404
followup_root_cause_edit         own       POST  login  404    404    422    422    404    404
followup_root_cause_edit         partner   POST  login  404    404    404    404    404    404
followup_root_cause_edit         outsider  POST  login  404    404    404    404    404    404
followup_template_new            own       GET   login  404    404    200    200    404    404
followup_template_new            partner   GET   login  404    404    404    404    404    404
followup_template_new            outsider  GET   login  404    404    404    404    404    404
followup_template_edit           own       GET   login  404    404    200    200    404    404
followup_template_edit           partner   GET   login  404    404    404    404    404    404
followup_template_edit           outsider  GET   login  404    404    404    404    404    404
followup_template_delete         own       POST  login  404    404    302    302    404    404
followup_template_delete         partner   POST  login  404    404    404    404    404    404
followup_template_delete         outsider  POST  login  404    404    404    404    404    404

# Outbox: VIEW_OUTBOX
outbox                           -         GET   login  404    404    200    404    404    404
outbox_message                   own       GET   login  404    404    200    404    404    404
outbox_message                   partner   GET   login  404    404    404    404    404    404
outbox_message                   outsider  GET   login  404    404    404    404    404    404

# Survey builder: CONFIGURE_SURVEYS
builder_list                     -         GET   login  404    404    200    200    404    404
builder_new                      -         GET   login  404    404    200    200    404    404
builder_survey                   own       GET   login  404    404    200    200    404    404
builder_survey                   partner   GET   login  404    404    404    404    404    404
builder_survey                   outsider  GET   login  404    404    404    404    404    404
builder_settings                 own       POST  login  404    404    422    422    404    404
builder_settings                 partner   POST  login  404    404    404    404    404    404
builder_settings                 outsider  POST  login  404    404    404    404    404    404
builder_question_add             own       POST  login  404    404    422    422    404    404
builder_question_add             partner   POST  login  404    404    404    404    404    404
builder_question_add             outsider  POST  login  404    404    404    404    404    404
builder_question_edit            own       POST  login  404    404    422    422    404    404
builder_question_edit            partner   POST  login  404    404    404    404    404    404
builder_question_edit            outsider  POST  login  404    404    404    404    404    404
builder_question_delete          own       POST  login  404    404    422    422    404    404
builder_question_delete          partner   POST  login  404    404    404    404    404    404
builder_question_delete          outsider  POST  login  404    404    404    404    404    404
builder_question_move            own       POST  login  404    404    400    400    404    404
builder_question_move            partner   POST  login  404    404    404    404    404    404
builder_question_move            outsider  POST  login  404    404    404    404    404    404
builder_draft                    own       POST  login  404    404    302    302    404    404
builder_draft                    partner   POST  login  404    404    404    404    404    404
builder_draft                    outsider  POST  login  404    404    404    404    404    404
builder_publish                  own       POST  login  404    404    422    422    404    404
builder_publish                  partner   POST  login  404    404    404    404    404    404
builder_publish                  outsider  POST  login  404    404    404    404    404    404

# Public links for customers and staff: the token is the key, no login (an unknown survey token: 404)
survey                           -         GET   404    404    404    404    404    404    404
survey_thanks                    -         GET   302    302    302    302    302    302    302
opt_out                          -         GET   200    200    200    200    200    200    200

# Customers: finding one (VIEW_ORGANISATION, or MANAGE_CASES in a unit); "why (not) asked" by key: VIEW_ORGANISATION
why_asked                        -         GET   login  404    200    200    200    200    404

# Invitation rules and the chain's contact policy: CONFIGURE_SURVEYS
rule_list                        -         GET   login  404    404    200    200    404    404
rule_new                         -         GET   login  404    404    200    200    404    404
rule_edit                        own       GET   login  404    404    200    200    404    404
rule_edit                        partner   GET   login  404    404    404    404    404    404
rule_edit                        outsider  GET   login  404    404    404    404    404    404
contact_policy                   -         GET   login  404    404    200    200    404    404
contact_sharing                  -         GET   login  404    404    200    200    404    404

# Own digest preferences: anyone logged in
digest_preferences               -         GET   login  200    200    200    200    200    200
digest_stop                      -         GET   200    200    200    200    200    200    200

# Login, logout, language
login                            -         GET   200    200    200    200    200    200    200
logout                           -         GET   405    405    405    405    405    405    405
# Single sign-on (accounts/sso_urls.py): off here (no CXLOOP_OIDC_*), so 404. When on, both are
# public, like the login page: the provider decides who logs in (accounts/tests/test_single_sign_on.py).
oidc_authentication_init         -         GET   404    404    404    404    404    404    404
oidc_authentication_callback     -         GET   404    404    404    404    404    404    404
account                          -         GET   login  200    200    200    200    200    200
password_change                  -         GET   login  200    200    200    200    200    200
two_factor_setup                 -         GET   login  200    200    200    200    200    200
two_factor_verify                -         GET   login  302    302    200    302    302    200
two_factor_off                   -         POST  login  302    302    302    302    302    302
two_factor_backup_codes          -         POST  login  200    200    200    200    200    200
set_language                     -         GET   302    302    302    302    302    302    302
favicon                          -         GET   301    301    301    301    301    301    301

# Journey analysis: ANALYSE_JOURNEYS on journey types, ANALYSE_EVENT_LOGS on imported logs
# (repeats and nps exist for journeys only, so a log answers 404 there)
process:index                    -         GET   login  404    404    200    200    200    404
process:upload                   -         GET   login  404    404    200    200    200    404
process:log                      own       GET   login  404    404    200    200    200    404
process:log                      partner   GET   login  404    404    404    404    404    404
process:log                      outsider  GET   login  404    404    404    404    404    404
process:log_delete               own       POST  login  404    404    302    302    302    404
process:log_delete               partner   POST  login  404    404    404    404    404    404
process:log_delete               outsider  POST  login  404    404    404    404    404    404
process:map[journeys]            own       GET   login  404    404    200    200    404    404
process:map[journeys]            partner   GET   login  404    404    404    404    404    404
process:map[journeys]            outsider  GET   login  404    404    404    404    404    404
process:map[logs]                own       GET   login  404    404    200    200    200    404
process:map[logs]                partner   GET   login  404    404    404    404    404    404
process:map[logs]                outsider  GET   login  404    404    404    404    404    404
process:variants[journeys]       own       GET   login  404    404    200    200    404    404
process:variants[journeys]       partner   GET   login  404    404    404    404    404    404
process:variants[journeys]       outsider  GET   login  404    404    404    404    404    404
process:variants[logs]           own       GET   login  404    404    200    200    200    404
process:variants[logs]           partner   GET   login  404    404    404    404    404    404
process:variants[logs]           outsider  GET   login  404    404    404    404    404    404
process:handover[journeys]       own       GET   login  404    404    200    200    404    404
process:handover[journeys]       partner   GET   login  404    404    404    404    404    404
process:handover[journeys]       outsider  GET   login  404    404    404    404    404    404
process:handover[logs]           own       GET   login  404    404    200    200    200    404
process:handover[logs]           partner   GET   login  404    404    404    404    404    404
process:handover[logs]           outsider  GET   login  404    404    404    404    404    404
process:stuck[journeys]          own       GET   login  404    404    200    200    404    404
process:stuck[journeys]          partner   GET   login  404    404    404    404    404    404
process:stuck[journeys]          outsider  GET   login  404    404    404    404    404    404
process:stuck[logs]              own       GET   login  404    404    200    200    200    404
process:stuck[logs]              partner   GET   login  404    404    404    404    404    404
process:stuck[logs]              outsider  GET   login  404    404    404    404    404    404
process:repeats[journeys]        own       GET   login  404    404    200    200    404    404
process:repeats[journeys]        partner   GET   login  404    404    404    404    404    404
process:repeats[journeys]        outsider  GET   login  404    404    404    404    404    404
process:repeats[logs]            own       GET   login  404    404    404    404    404    404
process:repeats[logs]            partner   GET   login  404    404    404    404    404    404
process:repeats[logs]            outsider  GET   login  404    404    404    404    404    404
process:nps[journeys]            own       GET   login  404    404    200    200    404    404
process:nps[journeys]            partner   GET   login  404    404    404    404    404    404
process:nps[journeys]            outsider  GET   login  404    404    404    404    404    404
process:nps[logs]                own       GET   login  404    404    404    404    404    404
process:nps[logs]                partner   GET   login  404    404    404    404    404    404
process:nps[logs]                outsider  GET   login  404    404    404    404    404    404
process:cases[journeys]          own       GET   login  404    404    200    200    404    404
process:cases[journeys]          partner   GET   login  404    404    404    404    404    404
process:cases[journeys]          outsider  GET   login  404    404    404    404    404    404
process:cases[logs]              own       GET   login  404    404    200    200    200    404
process:cases[logs]              partner   GET   login  404    404    404    404    404    404
process:cases[logs]              outsider  GET   login  404    404    404    404    404    404

# Topics: VIEW_ORGANISATION reads them, EDIT_TOPICS changes them
text_topics                      own       GET   login  404    404    200    200    200    404
text_topics                      partner   GET   login  404    404    404    404    404    404
text_topics                      outsider  GET   login  404    404    404    404    404    404
text_topic_save                  own       POST  login  404    404    302    302    302    404
text_topic_save                  partner   POST  login  404    404    404    404    404    404
text_topic_save                  outsider  POST  login  404    404    404    404    404    404
text_correct                     own       POST  login  404    404    302    302    302    404
text_correct                     partner   POST  login  404    404    404    404    404    404
text_correct                     outsider  POST  login  404    404    404    404    404    404
text_train                       own       POST  login  404    404    302    302    302    404
text_train                       partner   POST  login  404    404    404    404    404    404
text_train                       outsider  POST  login  404    404    404    404    404    404

# Drivers and eNPS: VIEW_ORGANISATION reads them, IMPORT_EMPLOYEE_SURVEYS uploads
drivers_page                     own       GET   login  404    404    200    200    200    404
drivers_page                     partner   GET   login  404    404    404    404    404    404
drivers_page                     outsider  GET   login  404    404    404    404    404    404
drivers_employees                own       GET   login  404    404    200    200    200    404
drivers_employees                partner   GET   login  404    404    404    404    404    404
drivers_employees                outsider  GET   login  404    404    404    404    404    404
drivers_employees_import         own       POST  login  404    404    302    302    302    404
drivers_employees_import         partner   POST  login  404    404    404    404    404    404
drivers_employees_import         outsider  POST  login  404    404    404    404    404    404

# Privacy pages: MANAGE_PRIVACY (privacy officer and organisation admin of the organisation)
privacy:index                    -         GET   login  404    404    302    404    404    302
privacy:overview                 own       GET   login  404    404    200    404    404    200
privacy:overview                 partner   GET   login  404    404    404    404    404    404
privacy:overview                 outsider  GET   login  404    404    404    404    404    404
privacy:customer                 own       GET   login  404    404    200    404    404    200
privacy:customer                 partner   GET   login  404    404    404    404    404    404
privacy:customer                 outsider  GET   login  404    404    404    404    404    404
privacy:customer_download        own       GET   login  404    404    200    404    404    200
privacy:customer_download        partner   GET   login  404    404    404    404    404    404
privacy:customer_download        outsider  GET   login  404    404    404    404    404    404
privacy:customer_erase           own       GET   login  404    404    200    404    404    200
privacy:customer_erase           partner   GET   login  404    404    404    404    404    404
privacy:customer_erase           outsider  GET   login  404    404    404    404    404    404
privacy:receipts                 own       GET   login  404    404    200    404    404    200
privacy:receipts                 partner   GET   login  404    404    404    404    404    404
privacy:receipts                 outsider  GET   login  404    404    404    404    404    404
privacy:receipt                  own       GET   login  404    404    200    404    404    200
privacy:receipt                  partner   GET   login  404    404    404    404    404    404
privacy:receipt                  outsider  GET   login  404    404    404    404    404    404
privacy:retention                own       GET   login  404    404    200    404    404    200
privacy:retention                partner   GET   login  404    404    404    404    404    404
privacy:retention                outsider  GET   login  404    404    404    404    404    404
privacy:audit                    own       GET   login  404    404    200    404    404    200
privacy:audit                    partner   GET   login  404    404    404    404    404    404
privacy:audit                    outsider  GET   login  404    404    404    404    404    404

# The organisation's structure and HR import: MANAGE_STRUCTURE. The own unit (Team Noord) still has
# employees, so closing it is refused (409); the own employee (Bram) leaves (302, rolled back).
structure                        own       GET   login  404    404    200    404    404    404
structure                        partner   GET   login  404    404    404    404    404    404
structure                        outsider  GET   login  404    404    404    404    404    404
structure_unit_new               own       GET   login  404    404    200    404    404    404
structure_unit_new               partner   GET   login  404    404    404    404    404    404
structure_unit_new               outsider  GET   login  404    404    404    404    404    404
structure_unit_edit              own       GET   login  404    404    200    404    404    404
structure_unit_edit              partner   GET   login  404    404    404    404    404    404
structure_unit_edit              outsider  GET   login  404    404    404    404    404    404
structure_unit_close             own       POST  login  404    404    409    404    404    404
structure_unit_close             partner   POST  login  404    404    404    404    404    404
structure_unit_close             outsider  POST  login  404    404    404    404    404    404
structure_employees              own       GET   login  404    404    200    404    404    404
structure_employees              partner   GET   login  404    404    404    404    404    404
structure_employees              outsider  GET   login  404    404    404    404    404    404
structure_employee_new           own       GET   login  404    404    200    404    404    404
structure_employee_new           partner   GET   login  404    404    404    404    404    404
structure_employee_new           outsider  GET   login  404    404    404    404    404    404
structure_employee_edit          own       GET   login  404    404    200    404    404    404
structure_employee_edit          partner   GET   login  404    404    404    404    404    404
structure_employee_edit          outsider  GET   login  404    404    404    404    404    404
structure_employee_leave         own       POST  login  404    404    302    404    404    404
structure_employee_leave         partner   POST  login  404    404    404    404    404    404
structure_employee_leave         outsider  POST  login  404    404    404    404    404    404
structure_import                 own       GET   login  404    404    200    404    404    404
structure_import                 partner   GET   login  404    404    404    404    404    404
structure_import                 outsider  GET   login  404    404    404    404    404    404
# People and roles: MANAGE_PEOPLE. The person is a colleague without an e-mail address: a password
# link is refused (409), as is an empty revoke; deactivating is rolled back by the test.
people:index                     -         GET   login  404    404    302    404    404    404
people:list                      own       GET   login  404    404    200    404    404    404
people:list                      partner   GET   login  404    404    404    404    404    404
people:list                      outsider  GET   login  404    404    404    404    404    404
people:invite                    own       GET   login  404    404    200    404    404    404
people:invite                    partner   GET   login  404    404    404    404    404    404
people:invite                    outsider  GET   login  404    404    404    404    404    404
people:person                    own       GET   login  404    404    200    404    404    404
people:person                    partner   GET   login  404    404    404    404    404    404
people:person                    outsider  GET   login  404    404    404    404    404    404
people:grant                     own       POST  login  404    404    422    404    404    404
people:grant                     partner   POST  login  404    404    404    404    404    404
people:grant                     outsider  POST  login  404    404    404    404    404    404
people:revoke                    own       POST  login  404    404    409    404    404    404
people:revoke                    partner   POST  login  404    404    404    404    404    404
people:revoke                    outsider  POST  login  404    404    404    404    404    404
people:password                  own       POST  login  404    404    409    404    404    404
people:password                  partner   POST  login  404    404    404    404    404    404
people:password                  outsider  POST  login  404    404    404    404    404    404
people:deactivate                own       POST  login  404    404    302    404    404    404
people:deactivate                partner   POST  login  404    404    404    404    404    404
people:deactivate                outsider  POST  login  404    404    404    404    404    404
people:reactivate                own       POST  login  404    404    302    404    404    404
people:reactivate                partner   POST  login  404    404    404    404    404    404
people:reactivate                outsider  POST  login  404    404    404    404    404    404

# The chain's set-up: MANAGE_CHAIN, in an organisation that leads its chain (owns a journey type).
chain:index                      -         GET   login  404    404    302    404    404    404
chain:overview                   own       GET   login  404    404    200    404    404    404
chain:overview                   partner   GET   login  404    404    404    404    404    404
chain:overview                   outsider  GET   login  404    404    404    404    404    404
chain:journey_type_new           own       GET   login  404    404    200    404    404    404
chain:journey_type_new           partner   GET   login  404    404    404    404    404    404
chain:journey_type_new           outsider  GET   login  404    404    404    404    404    404
chain:journey_type               own       GET   login  404    404    200    404    404    404
chain:journey_type               partner   GET   login  404    404    404    404    404    404
chain:journey_type               outsider  GET   login  404    404    404    404    404    404
chain:agreement                  own       POST  login  404    404    422    404    404    404
chain:agreement                  partner   POST  login  404    404    404    404    404    404
chain:agreement                  outsider  POST  login  404    404    404    404    404    404
chain:touchpoint_new             own       GET   login  404    404    200    404    404    404
chain:touchpoint_new             partner   GET   login  404    404    404    404    404    404
chain:touchpoint_new             outsider  GET   login  404    404    404    404    404    404
chain:touchpoint                 own       GET   login  404    404    200    404    404    404
chain:touchpoint                 partner   GET   login  404    404    404    404    404    404
chain:touchpoint                 outsider  GET   login  404    404    404    404    404    404
chain:channel_new                own       GET   login  404    404    200    404    404    404
chain:channel_new                partner   GET   login  404    404    404    404    404    404
chain:channel_new                outsider  GET   login  404    404    404    404    404    404
chain:channel                    own       GET   login  404    404    200    404    404    404
chain:channel                    partner   GET   login  404    404    404    404    404    404
chain:channel                    outsider  GET   login  404    404    404    404    404    404
chain:partner_new                own       GET   login  404    404    200    404    404    404
chain:partner_new                partner   GET   login  404    404    404    404    404    404
chain:partner_new                outsider  GET   login  404    404    404    404    404    404

# Setting a password with the e-mailed link: no login needed; an unknown or used token is 404.
welcome                          -         GET   404    404    404    404    404    404    404
"""


class Row(NamedTuple):
    method: str
    outcomes: dict[str, str]


def parse(text: str) -> dict[tuple[str, str], Row]:
    """The matrix as {(url key, organisation): Row}; a malformed or repeated row fails loudly."""
    rows = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        key, org, method, *outcomes = line.split()
        assert org in (*ORGANISATIONS, "-"), f"line {number}: unknown organisation {org!r}"
        assert method in ("GET", "POST"), f"line {number}: method is GET or POST"
        assert len(outcomes) == len(ROLES), f"line {number}: one outcome per role"
        assert (key, org) not in rows, f"line {number}: {key} {org} twice in the matrix"
        rows[key, org] = Row(method, dict(zip(ROLES, outcomes, strict=True)))
    return rows
