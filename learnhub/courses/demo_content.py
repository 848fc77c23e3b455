# ruff: noqa: E501  (course text and Markdown tables read better unwrapped)
"""Text of the demo course "Supervising ARRS roles in primary care" (written for LearnHub).

Each module is a reading followed by its knowledge check; every answer is in the reading.
Questions: (text, kind, explanation, [(option, correct), …]).
"""

TITLE = "Supervising ARRS roles in primary care"
SUMMARY = (
    "A practical course for GPs and senior clinicians who supervise staff employed through the "
    "Additional Roles Reimbursement Scheme (ARRS): what each role needs, how to adapt your style, "
    "and how to keep supervision going when the diary is full."
)
CPD_HOURS = "6.0"
AUDIENCE = ["gp", "advanced_practitioner", "senior_clinical_pharmacist", "nurse", "paramedic", "physiotherapist"]
OUTCOMES = """Explain why good supervision matters for patient safety, staff retention and CQC
Tell clinical supervision, CPD supervision, a named day-to-day contact and group supervision apart
Describe the supervision each ARRS role in your PCN needs
Adapt your supervision style to professions different from your own
Use group supervision and Action Learning Sets alongside one-to-one supervision
Plan supervision that is sustainable and shared beyond GPs"""

MODULES = [
    {
        "title": "Why supervision matters: safety and retention",
        "body": """\
Primary care networks (PCNs) now employ many professionals through the **Additional Roles
Reimbursement Scheme (ARRS)**: clinical pharmacists, physiotherapists, paramedics, social
prescribing link workers, care coordinators and more. Many of them work across several practices,
each with its own habits and culture.

## Safety
Supervision is where a practitioner can debrief after a difficult consultation, talk through a
case, and reflect on their practice. That protects **patients and the practitioner**. Regular,
recorded supervision is also part of the evidence practices show the **Care Quality Commission
(CQC)**.

## Retention
When ARRS staff leave, exit conversations often point to the same causes: feeling **isolated**,
not belonging to a team, and **not being supervised**. Early, regular conversations about goals
and expectations prevent much of that frustration. Good supervision is one of the cheapest ways
a PCN can keep the people it has recruited.

## Your role as a supervisor
A supervisor is not there to do the work for someone. You help them work safely within their
competence, notice their learning needs and grow in their role.
""",
        "questions": [
            (
                "Which of these do ARRS staff who leave most often link to their decision?",
                "single",
                "Isolation and a lack of supervision come up again and again when ARRS staff explain why they left.",
                [
                    ("Pay being lower than in hospitals", False),
                    ("Feeling isolated and not being supervised", True),
                    ("Too much CPD", False),
                ],
            ),
            (
                "Who does supervision protect?",
                "single",
                "Supervision protects both patients and the practitioner: debriefs and case discussion catch problems early.",
                [("Only patients", False), ("Only the practitioner", False), ("Both patients and the practitioner", True)],
            ),
            (
                "Which regulator looks for evidence that practices supervise their staff?",
                "single",
                "The Care Quality Commission (CQC) looks for evidence of supervision when it inspects.",
                [
                    ("The Care Quality Commission (CQC)", True),
                    ("The Charity Commission", False),
                    ("The Information Commissioner", False),
                ],
            ),
            (
                "What helps prevent later frustration for new ARRS staff?",
                "single",
                "Holding early and regular conversations about goals and expectations prevents much later frustration.",
                [
                    ("Waiting until their first annual appraisal", False),
                    ("Early, regular conversations about goals and expectations", True),
                    ("Letting them work it out alone", False),
                ],
            ),
        ],
    },
    {
        "title": "Types of supervision",
        "body": """\
People use "supervision" for several different things. Being clear which one you are giving
avoids gaps and double work.

Table: Types of supervision, who usually gives each and what it is for

| Type | Usually given by | What it is for |
|---|---|---|
| **Clinical supervision** | A GP or a verified, recognised advanced practitioner, in the clinical setting | Debriefs for safety, workplace-based assessment, reflection, case discussion, supporting change |
| **CPD supervision** | The employer or line manager, or a senior professional from the team, regularly (for example every six weeks) | Evidence of maintained capability: touching base, ways of working, learning needs, reflection on incidents, peer review |
| **Named day-to-day contact** | A named person in the PCN | Advice and support on the day |
| **Group supervision / Action Learning Sets** | A trained facilitator, who does not have to be a GP | Reflective professional supervision **in addition to** workplace supervision |

One person can give more than one type, but each needs its own time.
""",
        "questions": [
            (
                "Who usually provides CPD supervision?",
                "single",
                "CPD supervision is usually given by the employer or line manager, or a senior professional from the team.",
                [
                    ("The employer or line manager, or a senior professional from the team", True),
                    ("The patient's consultant", False),
                    ("Only the PCN clinical director", False),
                ],
            ),
            (
                "Which of these are purposes of clinical supervision? Select all that apply.",
                "multiple",
                "Clinical supervision covers debriefs for safety, case discussion and reflection; pay is not part of it.",
                [
                    ("Debrief for safety", True),
                    ("Case discussion", True),
                    ("Agreeing pay", False),
                    ("Reflecting on practice", True),
                ],
            ),
            (
                "Does a group supervision facilitator have to be a GP?",
                "single",
                "A trained facilitator runs group supervision and Action Learning Sets; they do not have to be a GP.",
                [("Yes, always", False), ("No, a trained facilitator need not be a GP", True)],
            ),
            (
                "Group supervision replaces workplace supervision. True or false?",
                "single",
                "Group supervision is in addition to the employer's workplace supervision, not instead of it.",
                [("True", False), ("False: it is in addition to workplace supervision", True)],
            ),
        ],
    },
    {
        "title": "Role by role: what each ARRS role needs",
        "body": """\
Requirements differ by role. A summary:

- **Clinical pharmacists**: clinical supervision at least **once a month** from a senior clinical
  pharmacist, with access to a named GP clinical supervisor. One senior should supervise no more
  than **five** clinical pharmacists.
- **Senior clinical pharmacists**: clinical supervision at least once every **three months** from a
  GP clinical supervisor.
- **Pharmacy technicians, physician associates, first contact physiotherapists, dietitians,
  podiatrists and occupational therapists**: clinical and CPD supervision.
- **Paramedics**: clinical and CPD supervision; under rotational models the **host organisation**
  is responsible for clinical supervision.
- **Nursing associates**: clinical and CPD supervision, plus a **named day-to-day contact**.
- **Mental health practitioners**: through the mental health trust when jointly funded, with a
  GP mentor identified by the PCN; peer supervision is encouraged.
- **Social prescribing link workers**: a GP supervisor is required, with access to clinical,
  non-managerial supervision; a first point of contact; peer networks and group supervision.
- **Health and wellbeing coaches**: regular access to clinical, non-managerial supervision, and
  coaching supervision from a qualified health coaching supervisor.
- **Care coordinators**: no formal national guidance, so agree a first point of contact and
  consider group supervision.
""",
        "questions": [
            (
                "How often should a clinical pharmacist have clinical supervision?",
                "single",
                "At least once a month, from a senior clinical pharmacist.",
                [("At least once a month", True), ("Once a year", False), ("Only when something goes wrong", False)],
            ),
            (
                "What is the most clinical pharmacists one senior clinical pharmacist should supervise?",
                "single",
                "The ratio is one senior to no more than five clinical pharmacists.",
                [("Two", False), ("Five", True), ("Twelve", False)],
            ),
            (
                "Who is responsible for a paramedic's clinical supervision under a rotational model?",
                "single",
                "Under rotational models the host organisation is responsible for clinical supervision.",
                [("The host organisation", True), ("The paramedic themselves", False), ("The CQC", False)],
            ),
            (
                "Which role has no formal national supervision guidance?",
                "single",
                "There is no formal national guidance for care coordinators.",
                [("Clinical pharmacist", False), ("Care coordinator", True), ("Nursing associate", False)],
            ),
            (
                "Which roles need a named day-to-day contact or first point of contact? Select all that apply.",
                "multiple",
                "Nursing associates, social prescribing link workers, health and wellbeing coaches and care coordinators all need one.",
                [("Nursing associate", True), ("Social prescribing link worker", True), ("Senior clinical pharmacist", False)],
            ),
        ],
    },
    {
        "title": "Adapting your style to different professions",
        "body": """\
Most GP supervisors were trained to supervise doctors. ARRS staff come from very different
training routes, and one style does not fit all.

- **Start from their profession's standards.** Ask what their regulator and professional body
  expect, and what their scope of practice is. Do not assume it matches a GP's.
- **Ask before you tell.** Open questions ("What options did you consider?") build confidence and
  show you how the person reasons. Save direct instruction for safety issues.
- **Match the need.** A newly qualified practitioner may need more structure and frequent short
  check-ins; an experienced one may want a sounding board and challenge.
- **Mentoring is not supervision.** Mentoring supports long-term career growth and can be given by
  someone outside the line of work; supervision looks at practice and safety now.
- **Agree the basics in writing**: how often you meet, how to reach you on the day, what gets
  recorded, and what happens if you are worried.
""",
        "questions": [
            (
                "Where should you start when supervising someone from a different profession?",
                "single",
                "Start from their own profession's standards and scope of practice, not a GP's.",
                [
                    ("Their profession's standards and scope of practice", True),
                    ("The GP curriculum", False),
                    ("Whatever worked for your own training", False),
                ],
            ),
            (
                "When is direct instruction most appropriate?",
                "single",
                "Open questions build confidence; direct instruction is kept for safety issues.",
                [("Always", False), ("For safety issues", True), ("Never", False)],
            ),
            (
                "What might a newly qualified practitioner need?",
                "single",
                "More structure and frequent short check-ins.",
                [
                    ("No supervision at all", False),
                    ("More structure and frequent short check-ins", True),
                    ("Only an annual review", False),
                ],
            ),
            (
                "Which things should you agree in writing? Select all that apply.",
                "multiple",
                "Agree how often you meet, how to reach you on the day, and what gets recorded.",
                [
                    ("How often you meet", True),
                    ("How to reach you on the day", True),
                    ("What gets recorded", True),
                    ("Their salary", False),
                ],
            ),
        ],
    },
    {
        "title": "Group supervision and Action Learning Sets",
        "body": """\
Group supervision brings people in similar roles together to reflect on their work. An
**Action Learning Set (ALS)** is one well-tested way to do it. Pilots across regional training
hubs ran over 90 sets for social prescribing link workers, health and wellbeing coaches and care
coordinators.

How a set usually works:

- **5 to 8 members**, meeting for about **90 minutes**, for 4 to 6 sessions, often monthly.
- A check-in, then members briefly say what they would like to bring and "bid" for time.
- The presenter describes their issue; the others ask **open questions, not advice**.
- The **presenter chooses their own actions** and reports back on them next time.
- Ground rules, agreed at the first meeting, keep the space **confidential and psychologically
  safe**. It is not a support or therapy group.

The facilitator does not have to be a GP; GPs at the start or end of their careers are often a
good fit where GPs are used.
""",
        "questions": [
            (
                "How many members does an Action Learning Set usually have?",
                "single",
                "A set usually has 5 to 8 members.",
                [("2 to 3", False), ("5 to 8", True), ("15 to 20", False)],
            ),
            (
                "What do other members offer the presenter?",
                "single",
                "Members ask open questions rather than give advice; the presenter chooses their own actions.",
                [("Advice on what to do", False), ("Open questions", True), ("A vote on the best action", False)],
            ),
            (
                "Who chooses the presenter's actions?",
                "single",
                "The presenter chooses their own actions and reports back next time.",
                [("The facilitator", False), ("The group by vote", False), ("The presenter", True)],
            ),
            (
                "An Action Learning Set is a therapy group. True or false?",
                "single",
                "It is a confidential, psychologically safe space for reflection, but not a support or therapy group.",
                [("True", False), ("False", True)],
            ),
        ],
    },
    {
        "title": "Making supervision sustainable",
        "body": """\
Supervision that depends on one overstretched GP stops the first busy winter. Build it to last:

- **Protect the time.** Put sessions in the rota as **booked time**, not something squeezed into
  lunch. Short, regular sessions beat long, rare ones.
- **Count the workload.** ARRS funding does not pay for supervision, so PCNs need to plan and fund
  the time honestly.
- **Share it beyond GPs.** Advanced practitioners, senior clinical pharmacists, senior nurses,
  senior paramedics and senior physiotherapists can all supervise. Spreading the load makes it
  resilient and gives staff supervisors who understand their profession.
- **Use groups.** Group supervision and Action Learning Sets reach several people in one session.
- **Keep a simple record** of who supervises whom and when, so that gaps are visible and cover is
  arranged when someone is away.
""",
        "questions": [
            (
                "How should supervision time be planned?",
                "single",
                "Put supervision in the rota as booked, protected time.",
                [
                    ("Squeezed into lunch breaks", False),
                    ("As booked time in the rota", True),
                    ("Only when the supervisee asks", False),
                ],
            ),
            (
                "Which senior clinicians can share supervision with GPs? Select all that apply.",
                "multiple",
                "Advanced practitioners, senior clinical pharmacists, senior nurses, paramedics and physiotherapists can all supervise.",
                [
                    ("Advanced practitioners", True),
                    ("Senior clinical pharmacists", True),
                    ("Senior nurses", True),
                    ("Receptionists", False),
                ],
            ),
            (
                "Which is better for sustainability?",
                "single",
                "Short, regular sessions beat long, rare ones.",
                [("Short, regular sessions", True), ("Long sessions twice a year", False)],
            ),
            (
                "Why keep a simple record of who supervises whom?",
                "single",
                "So gaps are visible and cover can be arranged when someone is away.",
                [
                    ("To rank supervisors", False),
                    ("So gaps are visible and cover can be arranged", True),
                    ("It is not useful", False),
                ],
            ),
        ],
    },
]

LIVE_SESSION = {
    "title": "Live workshop: supervision case discussion",
    "body": """\
A 90-minute online workshop. Bring one supervision situation from your PCN (anonymised). We will
practise the open-question approach from module 5 and plan how to share supervision locally.
""",
    "location": "Online (joining link sent by email)",
    "duration_minutes": 90,
}
