"""Public product FAQ articles of the B2B org: what each product line is asked about, and the articles answering it.

Each product theme has three questions customers ask (`FaqTopic`); a question's answer is a fact, and a fact with
a figure or a frequency comes in variants, so two look-alike products ("X" and "X Plus") can answer the same
question differently. An article states its fact in one of several paraphrases, never in the canonical words the
grader keys on (``data/grading/facts.json`` lists every canonical fact with the concepts a right answer states).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from crm_gym.world.generate.compose import pick, spin


@dataclass(frozen=True)
class FactVariant:
    """One answer to a topic: ``value`` fills the canonical fact's ``{n}``; ``said`` the paraphrases' ``{n}`` (a
    template of the ways an article puts it)."""

    value: str
    said: str


@dataclass(frozen=True)
class FaqTopic:
    """A question customers ask about a product theme, the canonical fact answering it, and its paraphrases.

    ``question`` completes "how can <product> ...". ``fact`` is the canonical answer (``{n}`` filled by a variant);
    ``paraphrases`` state the same fact in other words (``{n}`` the variant's ``said``, ``{product}`` the product).
    """

    question: str
    fact: str
    paraphrases: tuple[str, ...]
    variants: tuple[FactVariant, ...] = (FactVariant("", ""),)


def _numbers(*values: str) -> tuple[FactVariant, ...]:
    return tuple(FactVariant(v, v) for v in values)


_SECONDS = _numbers("2", "5", "30")
FAQ_TOPICS: dict[str, tuple[FaqTopic, ...]] = {
    "Networking Hardware": (
        FaqTopic(
            "handle traffic spikes",
            "It balances load across uplinks automatically to absorb sudden traffic.",
            (
                "{product} spreads load across its uplinks automatically, so [sudden traffic|a sudden surge] is "
                "absorbed.",
                "When traffic [surges|spikes], it automatically balances the load across [every|each] uplink.",
                "Load is distributed over the uplinks automatically to [soak up|absorb] sudden bursts of traffic.",
                "[Sudden|Unexpected] traffic is absorbed by {product} balancing load between uplinks dynamically.",
            ),
        ),
        FaqTopic(
            "support VLAN segmentation",
            "Up to {n} VLANs can be defined and isolated per port.",
            (
                "{product} lets you define and isolate up to {n} VLANs on each port.",
                "[Each|Every] port can carry as many as {n} separate, isolated VLANs.",
                "You can set up to {n} VLANs per port, each isolated from the others.",
                "Segmentation goes up to {n} VLANs per port, all isolated from one another.",
            ),
            _numbers("4,094", "1,024", "256"),
        ),
        FaqTopic(
            "fail over to a backup link",
            "If the primary link fails, traffic switches to the backup link within {n} seconds.",
            (
                "When the primary link drops, {product} moves traffic to the backup link in {n} seconds or less.",
                "Traffic fails over from the primary link to a backup link within {n} seconds.",
                "[Lose|If you lose] the primary link and the backup link takes over within {n} seconds.",
                "{product} completes failover from the primary to the backup link within {n} seconds.",
            ),
            _SECONDS,
        ),
    ),
    "Power Management": (
        FaqTopic(
            "reduce energy waste",
            "It schedules idle components into low-power states based on usage patterns.",
            (
                "{product} puts idle components into low-power states, timed by how they are used.",
                "Based on usage patterns, it moves idle [parts|components] into low-power states.",
                "Idle components are switched to power-saving states according to their usage.",
                "It learns usage patterns and sends inactive components into standby.",
            ),
        ),
        FaqTopic(
            "report consumption",
            "Dashboards show consumption per device in {n}-minute intervals.",
            (
                "Its dashboards break consumption down per device at {n}-minute intervals.",
                "Per-device consumption appears on the dashboards every {n} minutes.",
                "{product} dashboards chart each device's energy use in {n}-minute steps.",
                "You see consumption for every device on a dashboard, in {n}-minute intervals.",
            ),
            _numbers("15", "5", "30"),
        ),
        FaqTopic(
            "cap peak demand",
            "It caps total power draw at a limit you set and sheds non-critical loads first.",
            (
                "{product} holds total power draw under a cap you choose, shedding non-critical loads first.",
                "You set a limit on total draw, and it [stays|keeps] under it by [shedding|switching off] "
                "non-critical loads first.",
                "Peak demand is capped at your chosen limit, and low-priority loads are shed first.",
                "Non-critical loads are shed first whenever total draw nears the cap you set.",
            ),
        ),
    ),
    "Security Software": (
        FaqTopic(
            "protect data in regulated sectors",
            "Because breaches in finance and health carry severe penalties, it enforces encryption at rest and in "
            "transit.",
            (
                "{product} encrypts data both at rest and in transit, because breaches in finance and health are "
                "[heavily penalised|punished severely].",
                "Data stays encrypted in storage and in transit, which regulators in finance and healthcare expect.",
                "It enforces encryption for stored data and for data in transit, since breaches in regulated sectors "
                "carry severe penalties.",
                "Encryption is enforced at rest and in motion to avoid the penalties [regulated sectors|finance and "
                "health] face after a breach.",
            ),
        ),
        FaqTopic(
            "secure remote access",
            "It combines multi-factor authentication with device posture checks.",
            (
                "{product} pairs multi-factor authentication with a device posture check before granting access.",
                "Remote users need MFA and must pass a device health check.",
                "Access requires two-factor sign-in plus a posture check of the device.",
                "It checks device posture and asks for a second factor on every remote login.",
            ),
        ),
        FaqTopic(
            "quarantine threats",
            "Suspicious files are quarantined for {n} days before they are deleted.",
            (
                "{product} isolates suspicious files in quarantine for {n} days, then deletes them.",
                "Anything suspicious sits in quarantine for {n} days before it is [removed|deleted].",
                "Quarantined files are kept {n} days and then [deleted|removed for good].",
                "Suspicious files are held in quarantine for {n} days; after that they are deleted.",
            ),
            _numbers("30", "14", "90"),
        ),
    ),
    "Data Analytics": (
        FaqTopic(
            "forecast demand",
            "It fits seasonal models to historical sales and flags anomalies {n}.",
            (
                "{product} fits seasonal models to past sales and flags anomalies {n}.",
                "Seasonal models trained on sales history drive the forecast, and unusual results are flagged {n}.",
                "It learns seasonal patterns from historical sales; anomalies are reported {n}.",
                "Forecasts come from seasonal models fitted to previous sales, with outliers flagged {n}.",
            ),
            (FactVariant("weekly", "[weekly|every week|once a week]"), FactVariant("daily", "[daily|every day]")),
        ),
        FaqTopic(
            "connect data sources",
            "Connectors cover SQL databases, spreadsheets and REST APIs out of the box.",
            (
                "{product} ships with connectors for SQL databases, spreadsheets and REST APIs.",
                "Out of the box it reads from SQL databases, [Excel|CSV] spreadsheets and REST APIs.",
                "Built-in connectors handle databases, spreadsheets and any REST API.",
                "You can plug in SQL sources, spreadsheets and REST APIs without installing anything extra.",
            ),
        ),
        FaqTopic(
            "keep dashboards up to date",
            "Dashboards refresh from connected sources every {n} minutes.",
            (
                "{product} refreshes its dashboards from the connected sources every {n} minutes.",
                "Dashboards pull fresh data [from each source|] every {n} minutes.",
                "Every {n} minutes the dashboards update from each connected source.",
                "Data on the dashboards is reloaded from your sources at {n}-minute intervals.",
            ),
            _numbers("5", "10", "30"),
        ),
    ),
    "Design Software": (
        FaqTopic(
            "simulate early designs",
            "An AI assistant simulates early design phases to surface issues before prototyping.",
            (
                "{product}'s AI assistant simulates early design phases so problems surface before prototyping.",
                "Before you build a prototype, an AI assistant runs simulations of the early design to catch issues.",
                "Early designs are simulated by a built-in AI assistant that flags flaws ahead of prototyping.",
                "An AI helper simulates initial design stages and points out risks before any prototype exists.",
            ),
        ),
        FaqTopic(
            "share projects",
            "Projects sync to the cloud so teams can co-edit with version history.",
            (
                "{product} syncs projects to the cloud, where teams co-edit them with full version history.",
                "Projects are stored in the cloud so colleagues can edit together, with earlier versions kept.",
                "Cloud-synced projects let teams collaborate on one file with version history.",
                "Teams work together on projects synced to the cloud, and [earlier|previous] versions stay available.",
            ),
        ),
        FaqTopic(
            "recover deleted projects",
            "Deleted projects stay in a recycle bin for {n} days before they are gone for good.",
            (
                "{product} keeps deleted projects in a recycle bin for {n} days, so they can be restored.",
                "A deleted project can be recovered from the trash for {n} days.",
                "Removed projects wait in the bin for {n} days before they are purged.",
                "You have {n} days to restore a project from the recycle bin after deleting it.",
            ),
            _numbers("30", "60", "90"),
        ),
    ),
    "Circuit Simulation": (
        FaqTopic(
            "model signal integrity",
            "It runs transient and frequency-domain analyses on imported layouts.",
            (
                "{product} runs transient and frequency-domain analyses on the layouts you import.",
                "Import a layout and it performs both transient and frequency analyses.",
                "Signal integrity is checked with transient and frequency-domain analysis of imported board designs.",
                "It analyses imported layouts in the time domain (transient) and in the frequency domain.",
            ),
        ),
        FaqTopic(
            "validate thermal limits",
            "Thermal maps are computed per component under the declared load.",
            (
                "{product} computes a thermal map for each component under the load you declare.",
                "Under the declared load, it produces per-component thermal maps.",
                "You get a heat map of every component at the declared load.",
                "Thermal results are calculated component by component for the stated load.",
            ),
        ),
        FaqTopic(
            "simulate large designs",
            "Its solver handles designs of up to {n} nodes.",
            (
                "{product}'s solver takes designs of up to {n} nodes.",
                "Designs with as many as {n} nodes run on the built-in solver.",
                "The solver's limit is {n} nodes per design.",
                "Up to {n} nodes can be simulated in one design by its solver.",
            ),
            _numbers("50,000", "250,000"),
        ),
    ),
    "IoT Platforms": (
        FaqTopic(
            "secure IoT devices",
            "Robust encryption and compliance checks protect every device connection.",
            (
                "{product} protects each device connection with strong encryption and compliance checks.",
                "Every device link is encrypted and checked for compliance.",
                "Device connections are secured by robust encryption plus compliance checks.",
                "It encrypts all device communication and runs compliance checks on it.",
            ),
        ),
        FaqTopic(
            "scale device fleets",
            "Devices are onboarded in bulk with certificate-based provisioning.",
            (
                "{product} onboards devices in bulk using certificate-based provisioning.",
                "Whole batches of devices are provisioned at once with certificates.",
                "Certificates let you enrol devices en masse.",
                "Bulk onboarding relies on certificate-based provisioning.",
            ),
        ),
        FaqTopic(
            "handle offline devices",
            "Devices buffer up to {n} hours of readings while offline and upload them on reconnect.",
            (
                "{product} lets devices buffer up to {n} hours of readings offline and upload them once they "
                "reconnect.",
                "Offline devices keep up to {n} hours of data and send it when they are back online.",
                "When a device loses its connection it stores as much as {n} hours of readings, then uploads them on "
                "reconnect.",
                "Readings are queued on the device for up to {n} hours and sent when the connection is restored.",
            ),
            _numbers("12", "24", "72"),
        ),
    ),
    "High-Performance Computing": (
        FaqTopic(
            "speed up complex workloads",
            "Jobs are parallelised across nodes to cut time to result.",
            (
                "{product} splits jobs across nodes in parallel to shorten time to result.",
                "Work is distributed across many nodes so results arrive sooner.",
                "It runs jobs in parallel on [multiple|many] nodes.",
                "By parallelising each job across the cluster's nodes, it cuts time to result.",
            ),
        ),
        FaqTopic(
            "use quantum acceleration",
            "Qubit-based parallelism speeds up selected optimisation problems.",
            (
                "{product} uses qubit-based parallelism to speed up selected optimisation problems.",
                "Quantum parallelism accelerates certain optimization problems.",
                "Selected optimisation jobs run faster thanks to parallelism across qubits.",
                "For some optimization problems it taps qubit parallelism to cut run time.",
            ),
        ),
        FaqTopic(
            "share the cluster fairly",
            "A fair-share scheduler caps each team at {n} percent of the nodes during peak hours.",
            (
                "{product}'s fair-share scheduler limits each team to {n} percent of the nodes at peak hours.",
                "During peak hours no team gets more than {n}% of the nodes.",
                "At busy times each team is capped at {n} percent of the cluster's nodes.",
                "A fair-share policy keeps every team at or below {n}% of nodes in peak periods.",
            ),
            _numbers("25", "40", "50"),
        ),
    ),
    "Storage Systems": (
        FaqTopic(
            "protect against disk failure",
            "Data is striped with {n} so {k} disks can fail safely.",
            (
                "{product} stripes data with {n}, so {k} disks can fail without data loss.",
                "Thanks to striping with {n}, the array survives {k} failed disks.",
                "Data is spread across disks with {n}; losing {k} disks at once is safe.",
                "Striping with {n} lets {k} drives fail safely.",
            ),
            (
                FactVariant("dual parity", "[dual|double] parity"),
                FactVariant("triple parity", "triple parity"),
            ),
        ),
        FaqTopic(
            "tier cold data",
            "Rarely used files move to cheaper tiers after {n} days by default.",
            (
                "{product} moves rarely used files to a cheaper tier after {n} days, unless you change it.",
                "By default, files untouched for {n} days drop to lower-cost storage tiers.",
                "After {n} days without use, files are tiered down to cheaper storage.",
                "Cold files go to a low-cost tier once they reach {n} days without access.",
            ),
            _numbers("90", "30", "180"),
        ),
        FaqTopic(
            "take snapshots",
            "Snapshots are taken automatically every {n} hours.",
            (
                "{product} takes a snapshot automatically every {n} hours.",
                "Automatic snapshots run at {n}-hour intervals.",
                "Every {n} hours the array snapshots your volumes [automatically|on its own].",
                "Snapshots happen [automatically|on their own] every {n} hours.",
            ),
            _numbers("4", "6", "12"),
        ),
    ),
    "Collaboration Software": (
        FaqTopic(
            "keep remote teams aligned",
            "Shared boards and threaded updates keep every task visible.",
            (
                "{product} keeps every task visible through shared boards and threaded updates.",
                "Teams share boards and post threaded updates, so every task stays in view.",
                "With shared boards and update threads, everyone can see every task.",
                "Threaded updates on shared boards give the whole team an overview of each task.",
            ),
        ),
        FaqTopic(
            "control guest access",
            "Guests see only the boards they are invited to, with expiry dates.",
            (
                "{product} shows guests only the boards they were invited to, and their access expires on a set date.",
                "External users see just the boards they're invited to, and their access expires.",
                "Guest access is limited to invited boards and comes with an expiry date.",
                "Invited guests only see their boards, and each invitation expires.",
            ),
        ),
        FaqTopic(
            "search past discussions",
            "Message history stays searchable for {n} months.",
            (
                "{product} keeps message history searchable for {n} months.",
                "You can search past discussions going back {n} months.",
                "Conversations remain searchable for {n} months.",
                "Search covers the last {n} months of messages.",
            ),
            _numbers("12", "24", "36"),
        ),
    ),
    "Embedded Systems": (
        FaqTopic(
            "debug firmware",
            "On-board probes allow step debugging without extra hardware.",
            (
                "{product} has on-board probes, so you can step-debug without extra hardware.",
                "Built-in debug probes let you step through firmware with no external hardware.",
                "Step debugging works through the integrated probe, without a separate debugger.",
                "No extra hardware is needed to step-debug: the probes are on the board.",
            ),
        ),
        FaqTopic(
            "update firmware remotely",
            "Signed over-the-air updates roll back automatically on failure.",
            (
                "{product} installs signed over-the-air updates and rolls back automatically if one fails.",
                "Firmware arrives as signed OTA updates that revert on their own when they fail.",
                "Over-the-air updates are signed, and a failed one rolls back automatically.",
                "Remote updates are cryptographically signed and undo themselves on failure.",
            ),
        ),
        FaqTopic(
            "run on battery",
            "In deep sleep the board draws under {n} microamps.",
            (
                "{product} draws under {n} microamps in deep sleep.",
                "In deep sleep, current draw stays below {n} microamps.",
                "In deep sleep the board uses less than {n} microamps.",
                "Deep-sleep current is below {n} microamps.",
            ),
            _numbers("5", "20", "50"),
        ),
    ),
    "AI Services": (
        FaqTopic(
            "keep models accurate",
            "Models are retrained {n} on validated production data.",
            (
                "{product} retrains its models {n} on validated production data.",
                "Every model is refreshed {n} using vetted production data.",
                "Models are re-trained {n} on production data that has been validated.",
                "Validated production data is used to retrain the models {n}.",
            ),
            (
                FactVariant("monthly", "[monthly|every month|once a month]"),
                FactVariant("weekly", "[weekly|every week|once a week]"),
                FactVariant("quarterly", "[quarterly|every quarter|once a quarter]"),
            ),
        ),
        FaqTopic(
            "explain predictions",
            "Each prediction comes with the top contributing features.",
            (
                "{product} returns the top contributing features with every prediction.",
                "Every prediction lists the features that contributed most.",
                "Each score is delivered with its most influential features.",
                "Predictions come with the key features behind them.",
            ),
        ),
        FaqTopic(
            "protect personal data",
            "Personal fields are masked before training and raw inputs are deleted after {n} days.",
            (
                "{product} masks personal fields before training and deletes raw inputs after {n} days.",
                "Before training, personal data is redacted; raw inputs are removed after {n} days.",
                "Raw inputs are purged after {n} days, and personal fields are masked before any training.",
                "Personal fields are masked before training, and raw inputs are deleted {n} days after upload.",
            ),
            _numbers("7", "30"),
        ),
    ),
}
# How many disks survive each parity (the storage fact's second figure).
_DISKS = {"dual parity": "[two|2]", "triple parity": "[three|3]"}
_FACT_DISKS = {"dual parity": "two", "triple parity": "three"}


def canonical_fact(topic: FaqTopic, variant: FactVariant) -> str:
    """The canonical fact of a topic's variant: the gold answer to a question about it."""
    return topic.fact.format(n=variant.value, k=_FACT_DISKS.get(variant.value, ""))


_INTROS = (
    "{product} is our {phrase}[ for [business customers|growing teams|mid-size and large companies]|].",
    "{product}, our {phrase}, is [built|designed|made] for [teams that|companies that] [need|want] [reliability|"
    "room to grow|tight control].",
    "[Meet|About] {product}: [our|the] {phrase}[ we sell to business customers| for demanding teams|].",
    "{product} is the {phrase} [in our catalogue|in our range][ that many customers start with|].",
)
_FRAMINGS = (
    "[Customers|Admins|Buyers] [often|regularly|frequently] ask how it can {question}.",
    "A [common|frequent|typical] question [is|we get is] how [exactly|] {product} can {question}.",
    "[Many|Several] [teams|customers|admins] want to know [how|whether and how] it can {question}.",
    "[This article explains|Below is|Here is] how {product} [can|is able to] {question}[ in practice|].",
    "[One of the most frequent questions we get|A question we hear a lot] is how {product} can {question}.",
)
_GUIDES = (
    "See the {product} administration guide for [step-by-step|detailed] instructions[, or contact support| and "
    "examples|].",
    "[Step-by-step instructions|Setup steps|Detailed steps] are in the {product} [administration guide|admin guide|"
    "administrator's guide][, chapter by chapter|].",
    "[For details|For setup details|To configure it], [follow|check|read] the {product} [administration guide|admin "
    "guide|administration manual][, or ask our support team|].",
    "The {product} [administration guide|administrator's guide] walks through [each step|the setup|every setting]"
    "[ in detail|].",
)


_LEAD_INS = ("In short, ", "Simply put, ", "In practice, ", "To answer it: ", "")


def _answer(r: random.Random, paraphrase: str, product: str, said: dict[str, str]) -> str:
    """A paraphrase of the fact, sometimes led in ("In short, ..."), with the variant's words filled in."""
    text = spin(r, paraphrase, product=product, **said)
    lead_in = "" if paraphrase.startswith("{product}") else r.choice(_LEAD_INS)
    return lead_in + (text[:1].lower() + text[1:] if lead_in and not text[:3].isupper() else text)


def faq_article(
    r: random.Random, product: str, phrase: str, topic: FaqTopic, variant: FactVariant
) -> tuple[str, str, str]:
    """A public FAQ about one product: the title asks the topic's question, the summary answers it in one
    sentence, the body introduces the product and answers in other words."""
    said = {"n": spin(r, variant.said), "k": spin(r, _DISKS.get(variant.value, ""))}
    first, second = r.sample(topic.paraphrases, 2)
    summary, answer = spin(r, first, product=product, **said), _answer(r, second, product, said)
    body = " ".join(
        (
            pick(r, _INTROS, product=product, phrase=phrase),
            pick(r, _FRAMINGS, product=product, question=topic.question),
            answer,
            pick(r, _GUIDES, product=product),
        )
    )
    return f"How does {product} {topic.question}?", summary, body
