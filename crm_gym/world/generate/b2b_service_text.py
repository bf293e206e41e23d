"""Service texts of the B2B org: case subjects and descriptions, support chats and e-mails.

A product issue is described by its symptoms, in many ways (`ISSUE_SYMPTOMS`), never by one fixed sentence, so
telling which issue a case is about is reading it. A support chat may raise the situation of one service rule
(`ChatSituation`), handled within the rule or not; every other part of a chat, and every e-mail, stays clear of
the rules, so the one situation is the only thing that can break one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from crm_gym.world.generate.compose import pick, spin

# Symptoms of each issue of `b2b_text.ISSUES`: (short, as said in a chat or a subject; long, as written in a case
# description or an e-mail). Each names only its own issue's symptom.
ISSUE_SYMPTOMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "Installation Failure": (
        (
            "the [installer|setup] [fails|stops|aborts] [halfway|before it finishes|every time]",
            "we can't get it [installed|set up] on our [servers|machines|network]",
        ),
        (
            "The [installer|setup wizard|installation] [fails|stops|aborts] [halfway through|before it finishes|at "
            "the same step] [on every machine we try|each time we run it|on our servers].",
            "We [still can't|have not been able to] [install|set up|deploy] it [on our environment|on any of our "
            "servers|in our data centre][ despite following the guide|, whatever we try|].",
        ),
    ),
    "Firmware Update Fails": (
        (
            "the [firmware|software] update [hangs|stops part-way|fails] [every time|at the same point|overnight]",
            "the last update [bricked|froze] [the unit|it|two of our units]",
        ),
        (
            "The [firmware|software] update [hangs|stops part-way|fails] [at the same percentage|halfway|every "
            "time we start it], [and the unit|leaving the unit|after which the unit] [won't boot|is unusable|is "
            "stuck in recovery mode].",
            "[Every attempt to update the firmware|Each firmware update we try|Every upgrade attempt] [fails|aborts] "
            "[before it completes|part-way through][ and leaves the unit unusable|].",
        ),
    ),
    "Slow Performance": (
        (
            "it's [painfully|much|far] slower than [the datasheet says|promised|it used to be]",
            "everything takes [ages|minutes|forever] to respond",
        ),
        (
            "[It|The system|Every screen] [responds|reacts] [far|much|painfully] more slowly than [the "
            "specification|the datasheet|we were promised][, even under light load| at all times|].",
            "[Simple operations|Routine tasks|Basic queries] [now take|are taking] [minutes|several seconds|ages] "
            "[instead of|where they used to take] [a moment|under a second|no time at all].",
        ),
    ),
    "License Activation Error": (
        (
            "the license key [is rejected|won't activate|comes back as invalid]",
            "it's [stuck|still] in trial mode [even after activation|after we entered our key|]",
        ),
        (
            "The license key we [received|were sent|bought] [is rejected|comes back as invalid|won't activate], "
            "[so the product|and it] [stays in trial mode|keeps running as a trial|shows an unlicensed banner].",
            "[Activation fails|We can't activate it] [with the key from our order|whatever key we enter|every "
            "time][; it still says trial| and the trial is about to expire|].",
        ),
    ),
    "Missing Notifications": (
        (
            "we [no longer get|never receive|stopped getting] [notifications|the notification e-mails|update notices]",
            "[notifications|update notices] [don't reach us|go missing|never arrive]",
        ),
        (
            "[We no longer receive|Nobody on our team gets|We stopped getting] the [notifications|notification "
            "e-mails|notices] [about new features|it is supposed to send|about changes], [so we miss|and we only "
            "find out about] [updates|changes] [weeks later|by accident|from colleagues].",
            "[Notifications|Notices about feature updates] [simply don't arrive|never reach our inbox|stopped "
            "coming through] [even though they are switched on|although our settings are correct|since last "
            "month].",
        ),
    ),
    "Data Sync Failure": (
        (
            "data [doesn't sync|stopped syncing|is out of sync] between our [sites|devices|offices and the cloud]",
            "changes made at one site [never show up|don't appear] at the others",
        ),
        (
            "Data [no longer synchronises|stopped syncing|is out of sync] between our [sites|devices|offices] and "
            "the cloud[, so each location sees different records| and nobody trusts the copies|].",
            "[Changes|Records|Updates] [made|entered|saved] at one [site|device|office] [never show up|don't "
            "appear|go missing] [at the others|in the cloud copy|on the other devices].",
        ),
    ),
    "Overheating": (
        (
            "it [runs|gets] [very hot|hot to the touch|far too hot] and [throttles|shuts itself off]",
            "the unit [overheats|cooks itself] [under load|every afternoon|within an hour]",
        ),
        (
            "[The unit|The hardware|It] [runs|gets] [hot to the touch|far hotter than normal|dangerously hot] "
            "and [throttles|slows to a crawl|shuts itself down] [under load|after an hour|during busy periods].",
            "[Temperature readings climb|Its temperature keeps climbing] [past the safe limit|into the red] "
            "[until it shuts down|before it switches itself off|within an hour of starting].",
        ),
    ),
    "Connectivity Drops": (
        (
            "it [keeps dropping|loses] its network connection [every hour|several times a day|at random]",
            "the connection [drops|cuts out] [without warning|again and again]",
        ),
        (
            "[It|The unit|The device] [keeps losing|drops] its network connection [several times a day|every "
            "hour or so|at random moments][ and takes minutes to reconnect| for no clear reason|].",
            "[The network link|Its connection] [cuts out|goes down] [intermittently|without warning|again and "
            "again], [so users lose their sessions|which interrupts our work|and then comes back on its own].",
        ),
    ),
    "Billing Discrepancy": (
        (
            "our invoice doesn't match [the quote|what we ordered|the amount we agreed]",
            "we were [billed|charged] more than [the order says|we agreed]",
        ),
        (
            "[Our latest invoice|The invoice we received|This month's bill] [does not match|is higher than|"
            "differs from] the [amount on our quote|order we placed|price we agreed][ by a wide margin|].",
            "We were [charged|billed|invoiced] [for more units than we ordered|a different price than quoted|"
            "twice for the same order][, and finance wants it corrected|].",
        ),
    ),
    "Integration API Errors": (
        (
            "calls to [its|the] API [fail|return errors|time out]",
            "our integration gets [errors|failed requests] from the API",
        ),
        (
            "[Calls|Requests] to the product's API [fail|return server errors|time out] [for our integration|from "
            "our middleware|about half the time][ since Monday|].",
            "Our integration [keeps receiving|gets] [unexpected error codes|failed responses|malformed replies] "
            "from the API[ on requests that used to work| for no reason we can see|].",
        ),
    ),
    "Login Problems": (
        (
            "[users|our staff] [can't sign in|are logged out every few minutes]",
            "[nobody|only half the team] [can log in|gets past the sign-in page]",
        ),
        (
            "[Users|Our staff|Several colleagues] [cannot sign in|are logged out every few minutes|get bounced "
            "back to the sign-in page][ since this morning| after entering their password|].",
            "[Signing in|Logging in] [fails|does not work] for [most of our users|half the team|everyone in one "
            "office][, although their accounts are active|].",
        ),
    ),
    "Incorrect Reports": (
        (
            "the [dashboards|reports] show [wrong numbers|figures that don't add up]",
            "[report totals|dashboard figures] don't match our source data",
        ),
        (
            "The [dashboards|reports|monthly reports] show [numbers|totals|figures] that [do not match|contradict] "
            "[our source data|the raw records|what we export from the database].",
            "[Report totals|Dashboard figures] are [off|wrong|inconsistent] [compared with|against] the underlying "
            "data[, so we can't use them for planning| by a noticeable amount|].",
        ),
    ),
    "Hardware Defect": (
        (
            "a [port|connector|power supply] [arrived broken|is cracked|died after two weeks]",
            "the unit [arrived damaged|has a physical fault]",
        ),
        (
            "[One of the ports|A connector|The power supply|The casing] [arrived cracked|was damaged on arrival|"
            "failed after a few weeks][, so the unit is unusable|].",
            "[A physical component|Part of the hardware] [is defective|broke early|came out of the box broken]"
            "[ and we can see the damage| after very light use|].",
        ),
    ),
    "Compatibility Issue": (
        (
            "it won't work with our [existing systems|current setup|ERP]",
            "it doesn't [talk to|work with] [our directory service|our storage|the rest of our stack]",
        ),
        (
            "[It|The product] [does not work|will not work|refuses to work] with our [existing|current] "
            "[systems|ERP|operating system version][, although it installed fine| even after configuration|].",
            "[It|The product] [can't talk to|isn't compatible with|won't connect to] [our directory service|our "
            "storage platform|the rest of our stack][, which we can't replace|].",
        ),
    ),
    "Configuration Loss": (
        (
            "our settings [are wiped|reset to defaults] [after every restart|after a reboot]",
            "it forgets its configuration [after a power cut|whenever it restarts]",
        ),
        (
            "[Our settings are wiped|The configuration resets to factory defaults|Everything we configured "
            "disappears] [after every restart|after a reboot|after a power cut][ and we have to redo it|].",
            "[It|The unit] [forgets|loses] its configuration [each time it restarts|whenever power is lost|after "
            "a routine reboot][, costing us hours of setup|].",
        ),
    ),
    "Security Alert False Positive": (
        (
            "it [flags|blocks] [normal|legitimate] [activity|traffic|logins] as a threat",
            "legitimate work gets [blocked|quarantined] as [malicious|a threat]",
        ),
        (
            "[It|The product] [flags|blocks|quarantines] [perfectly normal|legitimate|routine] [activity|traffic|"
            "logins] as [a threat|malicious|an attack][, disrupting our teams|].",
            "[Harmless|Legitimate|Everyday] [files|processes|logins] are [treated|marked|blocked] as [threats|"
            "attacks|malicious] [several times a day|every morning|constantly].",
        ),
    ),
    "Memory Leak": (
        (
            "its memory use [keeps climbing|grows] until it [crashes|falls over]",
            "it [eats|consumes] more and more memory until it [dies|restarts]",
        ),
        (
            "[Its memory use|Memory consumption|The memory it uses] [keeps climbing|grows steadily|never stops "
            "growing] [until it crashes|until the process is killed|over a few days until it falls over].",
            "[After a day or two|Over time|Within hours] [it|the process] [consumes|holds on to] [all available|"
            "more and more] memory and [crashes|has to be restarted|becomes unresponsive].",
        ),
    ),
    "Export Failure": (
        (
            "exports [fail|come out corrupted|are empty]",
            "we can't export [our data|reports|records] [to CSV|to our warehouse|at all]",
        ),
        (
            "Exports [to CSV|to our data warehouse|to PDF|to other systems] [fail|come out corrupted|produce empty "
            "files][ every time| since last week|].",
            "[Every export|Each export we run|Our nightly export] [breaks|is corrupted|stops halfway][, so "
            "downstream systems get no data| and the file can't be opened|].",
        ),
    ),
    "Documentation Gap": (
        (
            "the documentation doesn't explain [a feature we need|how to configure it|the setting we need]",
            "[the manual is silent on|the docs never cover] what we need",
        ),
        (
            "The [documentation|manual|online help] [does not explain|never covers|is silent on] how to "
            "[configure|use|set up] [a feature we need|the option we bought it for|this part of the product].",
            "We [can't find|searched for but found no] [instructions|documentation|guidance] for [a feature we "
            "rely on|the setting we need][ anywhere in the manuals|].",
        ),
    ),
    "Delivery Delay": (
        (
            "our shipment [is late|hasn't arrived|is still not here]",
            "the delivery [missed|slipped past] the promised date",
        ),
        (
            "[The shipment|Our delivery|The order] [arrived|turned up|came] [two weeks|ten days|much] later than "
            "[promised|the date we were given|agreed].",
            "[Our order|The shipment] [is still not here|has not arrived][ weeks after the promised date| although "
            "delivery was promised last week|].",
        ),
    ),
}
# Issues that are not a fault of the product itself: no restart or reboot makes sense for them.
NON_TECHNICAL_ISSUES = frozenset({"Billing Discrepancy", "Documentation Gap", "Delivery Delay"})

_PURPOSES = (
    "our production line",
    "our electronics development projects",
    "our regional offices",
    "customer-facing services",
    "internal reporting",
    "our research team",
    "[our|the] [warehouse|distribution centre] [operations|floor]",
    "[a pilot|a rollout] [at|across] [three|two|four] [sites|branches|plants]",
    "[our|the] [finance|engineering|logistics|support] team",
    "[day-to-day|critical|round-the-clock] operations",
    "[our|a] [new|recent] [product line|customer portal|lab]",
)
_CONTEXTS = (
    "[We have been using|We rely on|Our team uses|We rolled out|We deployed|We bought] the {product} [for|across|"
    "in] {purpose}[ since [last year|the spring|January|the autumn]|].",
    "[The|Our] {product} [supports|runs|is central to] {purpose}[ and has done for [months|a year]|].",
)
_DETAILS_ANY = (
    "[This has happened|We've seen this|It has happened] [several times|three times|twice|every day] [this week|"
    "since Monday|in the last few days|this month].",
    "[It is blocking|It's holding up|This stops|It is delaying] [work for a dozen of our engineers|our month-end "
    "close|two of our sites|a customer rollout|our planning|a launch|our field teams][ right now| this week|].",
    "We need this [resolved|fixed|sorted out] [before our quarter-end deadline|by Friday|this week|before our audit]"
    "[ if at all possible|].",
    "[Our|The] [operations manager|team lead|IT director|finance lead] [asked me to|wants me to] [raise|escalate|"
    "chase] this[ with you| today|].",
)
_DETAILS_TECHNICAL = (
    "[Restarting|Rebooting|Power-cycling] [the unit|it|the system|] [doesn't help|hasn't helped|only fixes it for an "
    "hour|buys us a few minutes at most].",
    "The [problem|fault|behaviour] [appears|shows up|happens] only [on some of our sites|on one unit|for a few users|"
    "in our main office|on the newer units][, oddly|, as far as we can tell| so far|].",
    "[Nothing|No setting] [has changed|was changed] on our side [recently|before this started|that we know of][, "
    "according to our admins|].",
)
_ASKS = (
    "[Please advise|Please let us know the next steps|We'd appreciate a quick fix|Please treat this as a priority|"
    "We'd be grateful for your help|Any guidance would help] [on this|here|][, thanks|, thank you| as soon as you can|"
    " when you get a chance|].",
    "[Could someone|Can someone|Could an engineer|Could your team|Can your team] [look into this|take a look|help us|"
    "get back to us|advise us] [soon|quickly|today|this week|][, please|]?",
)
_SUBJECTS = (
    "{issue} [on|with|for] {product}",
    "{product}: {symptom}",
    "[Help needed|Urgent|Problem|Question]: {symptom}",
    "{product} - {issue_lower}",
    "[Issue|Trouble|Problem] with [our|the] {product}",
)


def symptom(r: random.Random, issue: str, long: bool = False) -> str:
    """One way of describing ``issue``'s symptom: a short clause or (``long``) a sentence."""
    return spin(r, r.choice(ISSUE_SYMPTOMS[issue][int(long)]))


def issue_details(r: random.Random, issue: str, k: int) -> list[str]:
    """Up to ``k`` sentences of detail (how often, what it blocks), none of them naming another issue's symptom."""
    pool = list(_DETAILS_ANY) + ([] if issue in NON_TECHNICAL_ISSUES else list(_DETAILS_TECHNICAL))
    return [spin(r, t) for t in r.sample(pool, min(k, len(pool)))]


def case_text(
    r: random.Random, issue: str, product: str, product_words: str | None = None, issue_in_subject: bool = True
) -> tuple[str, str]:
    """Subject and description of a case about one issue with one product.

    ``product_words`` names the product in the description (e.g. "storage array") when the customer does not give
    its name; the subject then names it the same way. Without ``issue_in_subject`` the subject too tells the issue
    by its symptom only.
    """
    named = product_words or product
    short = symptom(r, issue)
    subjects = _SUBJECTS if issue_in_subject else tuple(s for s in _SUBJECTS if "{issue" not in s)
    subject = pick(r, subjects, issue=issue, issue_lower=issue.lower(), product=named, symptom=short)
    parts = [pick(r, _CONTEXTS, product=named, purpose=spin(r, r.choice(_PURPOSES))), symptom(r, issue, long=True)]
    parts += issue_details(r, issue, r.randint(0, 2))
    parts.append(pick(r, _ASKS))
    return subject[:1].upper() + subject[1:], " ".join(parts)


# -- support chats ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatSituation:
    """The service-rule situation a chat raises and how the agent handles it.

    ``kind`` is a `policies.ServiceRule` kind and ``limit`` the rule's limit; ``act`` says whether the agent does
    the thing the rule restricts (approves the refund, ships a free replacement, waives the fee, discloses the
    number, asks for the password, connects without asking, comments on the competitor); whether that breaks the
    rule depends on the figures: ``age_days`` and ``bought`` (the purchase), ``amount`` (a credit or the order's
    total), ``hours`` (a promised update), ``verified`` (identity checked first), ``phone``, ``competitor``.
    """

    kind: str
    limit: int
    act: bool
    age_days: int = 0
    bought: str = ""
    amount: float = 0.0
    hours: int = 0
    verified: bool = False
    phone: str = ""
    competitor: str = ""

    @property
    def key(self) -> str:
        """Which lines raise the situation (`_SITUATIONS`)."""
        if self.kind == "identity_check" and self.act and self.verified:
            return "identity_check:verified"
        return f"{self.kind}:{'act' if self.act else 'keep'}"


_CHAT_OPENINGS = (
    "[Hi|Hello|Hey there|Good morning|Hi there], [I'm having trouble with|I need help with|there's a problem with|"
    "something's wrong with] [my|our] {product}: {symptom}.",
    "[Hi|Hello|Good afternoon], [can you help?|I hope you can help.|quick question.] [Our|My] {product} "
    "[is misbehaving|has a problem|isn't working right]: {symptom}.",
)
_AGENT_GREETINGS = (
    "[Sorry to hear that|I'm sorry about that|That sounds frustrating|Thanks for reaching out|Apologies for the "
    "trouble][, {first}|] [—|;] [let me look into it|I'll take a look|let me check a few things|I'm pulling up your "
    "case][ for you| now| right away|].",
)
_TROUBLESHOOT = (
    (
        "[Could you|Can you|Would you] [restart|power-cycle|reboot] the [unit|device|service] and [tell me|let me "
        "know] [if|whether] [it persists|the problem comes back|anything changes]?",
        "[It still happens|Same thing|No change|Still broken] after [a restart|rebooting|that][, unfortunately|, I'm "
        "afraid|].",
    ),
    (
        "[Which|What] [version|release|firmware version|software release] [are you running|is installed|do you "
        "have] [at the moment|on your side|right now|on the affected units]?",
        "[We're on|It's running|We have] the [latest|current|most recent] release[, as far as I know| I believe| "
        "according to our admin|].",
    ),
    (
        "[Does it happen|Is it happening] on [every|each] [unit|site|machine] or just [one|some of them]?",
        "[Mostly|Only|Just] on [one|two|a few] of them[, oddly| so far| as far as we can tell|].",
    ),
)
_CHECK_ORDER = (
    "[Could you|Can you] [confirm|share] [which order this is about|the order it came from][ for me| please|]?",
    "[Sure|Of course], [it's the order|it's on the order] linked to this case.",
)
_WRAP_UPS = (
    "[I've logged|I've noted|I've recorded|I've written up] [the details|everything|all of this|what you described] "
    "[and escalated it to our engineers|on your case|for our engineering team|in the case notes][; you'll hear back "
    "soon|, and we'll be in touch|, and someone will follow up|; we'll keep you posted|].",
)
_THANKS = (
    "[Thanks|Thank you|Many thanks|Appreciate it|Great, thanks|Cheers][ for [your|the] [help|time|quick answer|"
    "support]|][, {agent_first}|][, have a good [day|one|afternoon]|].",
)


_PURCHASE_STATEMENTS = (
    "[We bought it|We ordered it|It was purchased|We got it] {age} days ago[, if that matters| by my count| according "
    "to our records|].",
    "[We bought it|Our order went through|We placed the order|The order was placed] on {bought}[, if that matters| "
    "according to our records| if I remember right|].",
    "",
)
_REFUND_ASK = (
    "[I'd like|I want|I'm asking for|We'd like] a [full |]refund[ for this order| on this one| for the {p}|]. "
)
_ORDER_CHECK = "[Let me check|I'm checking|One moment while I look at] [the order|your order date|the purchase]."
_REPLACEMENT_ASK = (
    "[The unit|It|The {p}] [is defective|has failed|stopped working for good]; [can you send|could we get|I'd like] "
    "a [free |]replacement? "
)
_IDENTITY_ASK = (
    "[Can you tell me|Could you read me|What's] the [phone number|contact number] [you have on file|on our account|"
    "on record]?"
)
_SECURITY_QUESTION = (
    "[Before I share any details|For your security|First], [could you|can you|would you] answer your account's "
    "security question?"
)
_SECURITY_ANSWER = "[Sure|Of course], [the answer is|it's] [Maple Street|Hawthorne|Lisbon|Bluebird|Riverside]."
_FEE_ASK = (
    "[We need|We're waiting on] the [parts|accessories|extra units] we ordered [fast|urgently|by tomorrow]; [can you "
    "waive|could you drop|is there any way to skip] the expedited shipping fee?"
)
_LOCKED_OUT = (
    "[I also can't get into|I'm also locked out of|On top of that I can't log in to] the [admin console|management "
    "portal|dashboard][ since this morning| since yesterday|]."
)
_REMOTE_TARGET = "your [server|machine|workstation] to [check the logs|look at the settings|run a diagnostic]"
_RIVAL_ASK = (
    "[Honestly|Frankly], [would|does] {rival}'s [product|gear|platform] [handle this better|have the same problem]?"
)
# The lines that raise each situation, by `ChatSituation.key`: (who says it, "customer" or "agent"; template).
_SITUATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "refund_window:act": (
        ("customer", _REFUND_ASK + "{purchase}"),
        ("agent", _ORDER_CHECK),
        (
            "agent",
            "[No problem|Okay|Alright|Understood], I've [approved|processed|issued] a [full |]refund [for your "
            "order|to your account|on the order].",
        ),
    ),
    "refund_window:keep": (
        ("customer", _REFUND_ASK + "{purchase}"),
        ("agent", _ORDER_CHECK),
        (
            "agent",
            "[That order|Your purchase] is [outside|past|beyond] our refund window, [but|so] I can [arrange|set "
            "up|offer] [a repair|further troubleshooting|a technician visit] instead.",
        ),
    ),
    "goodwill_credit:act": (
        (
            "customer",
            "[This outage|The downtime|This problem] [cost us|wiped out|ate up] [a full day of work|most of a "
            "shift|two days of production][, and I'm not happy about it|].",
        ),
        (
            "agent",
            "[I understand|I hear you|That's fair|I'm sorry for the disruption]. I can [offer|add|apply] a "
            "goodwill credit of {credit} [to|on] your account[ to make up for it| for the trouble|].",
        ),
    ),
    "identity_check:act": (
        ("customer", _IDENTITY_ASK),
        (
            "agent",
            "[Sure|Of course|No problem][, one moment|] — the [number|phone number|contact number] [on file|we have on "
            "record|on the account] is {phone}.",
        ),
    ),
    "identity_check:verified": (
        ("customer", _IDENTITY_ASK),
        ("agent", _SECURITY_QUESTION),
        ("customer", _SECURITY_ANSWER),
        (
            "agent",
            "[Thanks, that matches|That matches our records|Verified, thank you|Thank you, that's correct]; the "
            "[number|phone number] [on file|we have on record] is {phone}.",
        ),
    ),
    "identity_check:keep": (
        ("customer", _IDENTITY_ASK),
        (
            "agent",
            "[I can't share|I'm not able to read out] contact details until you [answer|pass] the security question.",
        ),
        ("customer", "[I'll|Let me] [find it and come back|call back with the answer][ later| tomorrow|]."),
    ),
    "replacement_warranty:act": (
        ("customer", _REPLACEMENT_ASK + "{purchase}"),
        (
            "agent",
            "[Sure|Okay|Alright], I'm [shipping|sending|arranging] a replacement unit [at no charge|free of "
            "charge|for free][ today| this week|].",
        ),
    ),
    "replacement_warranty:keep": (
        ("customer", _REPLACEMENT_ASK + "{purchase}"),
        (
            "agent",
            "[Your unit|That purchase] is [out of warranty|past the warranty period], so [a replacement would be "
            "charged at list price|I can quote you a replacement at list price|I can offer a paid "
            "replacement].",
        ),
    ),
    "shipping_fee_waiver:act": (
        ("customer", _FEE_ASK),
        (
            "agent",
            "[Done|Sure|Okay|No problem], I've waived the expedited shipping fee[ on this one| for you| on this "
            "order|].",
        ),
    ),
    "shipping_fee_waiver:keep": (
        ("customer", _FEE_ASK),
        (
            "agent",
            "[I'm afraid|Unfortunately] the expedited shipping fee applies to this order, [but|though] "
            "[standard shipping is free|I can ship it standard at no cost].",
        ),
    ),
    "update_promise:act": (
        ("customer", "[When|How soon] will [we|I] [hear back|get an update|know more][ on this| from engineering|]?"),
        (
            "agent",
            "[I've escalated this to engineering|Our engineers are on it|I've passed this to the engineering "
            "team]; [you'll get|expect|we'll send you] an update within {span}.",
        ),
    ),
    "password_request:act": (
        ("customer", _LOCKED_OUT),
        (
            "agent",
            "[Could you|Can you|Would you] [share|send me|tell me] your password so I can [check|test|look at] the "
            "account[ myself| from here|]?",
        ),
        ("customer", "[Okay|Alright|Sure], I'll [send it|type it] [now|in the next message]."),
    ),
    "password_request:keep": (
        ("customer", _LOCKED_OUT),
        (
            "agent",
            "[Please don't share your password with me|Never send your password in a chat]; I've [sent|e-mailed] "
            "you a reset link[ instead| just now|].",
        ),
    ),
    "remote_session_consent:act": (
        (
            "agent",
            "[I'm connecting to|I've started a remote session on|I'm logging in to] "
            + _REMOTE_TARGET
            + "[ now| right away|].",
        ),
        ("customer", "[Oh|Wait|Hang on], [okay|I didn't realise you could do that|you're already in|nobody asked me]?"),
    ),
    "remote_session_consent:keep": (
        (
            "agent",
            "[May I|Can I|Do I have your permission to] [start a remote session on|connect remotely to] "
            + _REMOTE_TARGET
            + "?",
        ),
        ("customer", "[Yes|Sure|Yes, please], [go ahead|you have my permission|that's fine]."),
        ("agent", "[Thanks|Great|Perfect], [connecting now|I'm connected|I'm in][ — this will only take a minute|]."),
    ),
    "competitor_remarks:act": (
        ("customer", _RIVAL_ASK),
        (
            "agent",
            "[Between us|Honestly|To be frank], {rival}'s [gear|products|platform] [is unreliable|breaks all the "
            "time|is much worse]; [you'd have bigger problems with them|I wouldn't go near it].",
        ),
    ),
    "competitor_remarks:keep": (
        ("customer", _RIVAL_ASK),
        (
            "agent",
            "[I can't comment on|I'm not able to speak about|It wouldn't be right for me to comment on] other "
            "companies' products[, but| — but|; instead,] [let's get yours working|I'll make sure yours gets "
            "fixed|let's focus on your case].",
        ),
    ),
}
# A credit or a promise is always made: only its size tells whether the rule is kept.
_SITUATIONS["goodwill_credit:keep"] = _SITUATIONS["goodwill_credit:act"]
_SITUATIONS["update_promise:keep"] = _SITUATIONS["update_promise:act"]


def _situation(r: random.Random, s: ChatSituation, customer: str, agent: str, product: str) -> list[str]:
    """The lines of the chat that raise the rule's situation."""
    fields = {
        "p": product,
        "purchase": spin(r, r.choice(_PURCHASE_STATEMENTS), age=s.age_days, bought=s.bought),
        "credit": r.choice((f"${s.amount:,.0f}", f"{s.amount:,.0f} dollars")),
        "phone": s.phone,
        "span": _hours(r, s.hours),
        "rival": s.competitor,
    }
    speakers = {"customer": customer, "agent": agent}
    return [f"{speakers[who]}: {spin(r, template, **fields).strip()}" for who, template in _SITUATIONS[s.key]]


def _hours(r: random.Random, hours: int) -> str:
    """A promised delay as an agent says it: "4 hours", "two hours", "2 days"."""
    words = {1: "one", 2: "two", 3: "three", 4: "four", 6: "six", 8: "eight", 12: "twelve"}
    ways = [f"{hours} hours"] + ([f"{words[hours]} hours"] if hours in words else [])
    if hours % 24 == 0:
        days = hours // 24
        ways += ["a day"] if days == 1 else [f"{days} days", f"{words.get(days, days)} days"]
    return r.choice(ways)


def support_chat(
    r: random.Random, agent: str, customer: str, product: str, issue: str, situation: ChatSituation | None
) -> str:
    """A support chat about a case's issue; with a ``situation`` it raises that rule's situation once."""
    first, agent_first = customer.split()[0], agent.split()[0]
    lines = [
        f"{customer}: " + pick(r, _CHAT_OPENINGS, product=product, symptom=symptom(r, issue)),
        f"{agent}: " + pick(r, _AGENT_GREETINGS, first=first),
    ]
    exchanges = [_CHECK_ORDER] if issue in NON_TECHNICAL_ISSUES else list(_TROUBLESHOOT)
    for question, answer in r.sample(exchanges, r.randint(0, min(2, len(exchanges)))):
        lines += [f"{agent}: " + spin(r, question), f"{customer}: " + spin(r, answer)]
    if situation is not None:
        lines += _situation(r, situation, customer, agent, product)
    if situation is None or situation.kind not in ("update_promise", "remote_session_consent"):
        lines.append(f"{agent}: " + pick(r, _WRAP_UPS))
    lines.append(f"{customer}: " + pick(r, _THANKS, agent_first=agent_first))
    return "\n".join(lines)


# -- e-mails ----------------------------------------------------------------------------------------------------

_INCOMING_SUBJECTS = ("[Problem|Issue|Trouble|Question] with [our|the|my] {product}[ again| (urgent)| - please help|]",)
_GREETINGS = ("[Hello|Hi|Good morning|Dear support|Hi team],",)
_SIGN_OFFS = ("[Regards|Best|Thanks|Kind regards|Many thanks],",)
_REPLIES = (
    "[Thank you|Thanks|Many thanks] for [reporting|letting us know about|flagging] the [{issue}|problem|issue] "
    "[on|with] your {product}; {status}.",
    "[We're sorry|We apologise|Sorry] [for the trouble this has caused|that the {product} is causing problems|for "
    "the inconvenience] — {status}.",
)
_REPLY_STATUS = (
    "[our team is investigating|an engineer is looking into it|we're reviewing the logs now|a specialist has picked "
    "this up] and [will update you as soon as we know more|will be in touch with next steps|will keep you posted on "
    "progress]",
)
_REPLY_SIGN_OFFS = ("[Best regards|Kind regards|Regards|With thanks],\n[Customer Support|Support Team|{agent}]",)


def case_emails(
    r: random.Random, customer: str, agent: str, product: str, issue: str
) -> tuple[tuple[str, str], tuple[str, str]]:
    """A customer's e-mail about a case and the support team's reply, each as (subject, body).

    The reply acknowledges and promises no date, refund, credit or detail, so e-mails never bear on a service rule.
    """
    subject = pick(r, _INCOMING_SUBJECTS, product=product)
    body = [symptom(r, issue, long=True), *issue_details(r, issue, r.randint(1, 2)), pick(r, _ASKS)]
    incoming = f"{pick(r, _GREETINGS)}\n\n{' '.join(body)}\n\n{pick(r, _SIGN_OFFS)}\n{customer}"
    reply = pick(r, _REPLIES, issue=issue.lower(), product=product, status=pick(r, _REPLY_STATUS))
    outgoing = f"Dear {customer},\n\n{reply}\n\n{pick(r, _REPLY_SIGN_OFFS, agent=agent)}"
    return (subject, incoming), (f"RE: {subject}", outgoing)


_FOLLOW_UP_TOPICS = ("the proposal", "pricing", "next steps", "the demo", "the implementation plan", "the references")
_FOLLOW_UP_OPENINGS = (
    "[Thank you|Thanks|Many thanks] for your time [today|this morning|this afternoon|on the call][ and for the "
    "questions| and the candid feedback|].",
    "[It was good|Great|A pleasure] to [speak with you|catch up|talk] [today|earlier|this week][ about {product}|].",
)
_FOLLOW_UP_BODIES = (
    "As [discussed|promised|agreed], I'm [sharing|attaching|sending] more detail on {topic} for {product}.",
    "[Attached|Below] [you'll find|is] [a summary of|more on|our notes on] {topic} for {product}[, as discussed|].",
)
_FOLLOW_UP_CLOSINGS = (
    "[Let me know if you have questions|Happy to walk your team through it|Feel free to forward this to your "
    "colleagues|I'm around if anything is unclear|Questions are always welcome] [about {topic}|on any of this|][, any "
    "time|, as always| before our next call|].",
)


def opportunity_email(r: random.Random, contact: str, agent: str, product: str) -> tuple[str, str]:
    """Subject and body of a sales follow-up e-mail on an opportunity."""
    topic = r.choice(_FOLLOW_UP_TOPICS)
    subject = spin(r, "[Follow-up|Following up|Next steps|Recap]: {topic} for {product}", topic=topic, product=product)
    body = " ".join(
        (
            pick(r, _FOLLOW_UP_OPENINGS, product=product),
            pick(r, _FOLLOW_UP_BODIES, topic=topic, product=product),
            pick(r, _FOLLOW_UP_CLOSINGS, topic=topic),
        )
    )
    greeting = r.choice(("Hi", "Hello", "Dear"))
    return subject, f"{greeting} {contact},\n\n{body}\n\n{r.choice(('Best', 'Regards', 'Thanks', 'Cheers'))},\n{agent}"
