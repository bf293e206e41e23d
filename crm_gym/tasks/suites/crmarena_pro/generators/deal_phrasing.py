"""How people ask the quote, stage and routing questions: phrase books of quote approval, invalid configuration,
activity priority, wrong stage rectification and lead routing.

A family is one situation a request comes from (a deal desk check, a customer waiting, a manager's flag...); its
templates are its openings crossed with its ways of putting the question, so one family reads many ways while
staying one voice. Every template has a ``{record}`` field (how the record is named: "this quote", "quote <Id>",
or a description) and ends with ``{answer}``, the answer-format instruction, drawn from the category's own list.
"""

from __future__ import annotations

from collections.abc import Sequence

from crm_gym.tasks.suites.crmarena_pro.framework import GenerationContext, PhraseBook, Phrased


def family(openings: Sequence[str], asks: Sequence[str]) -> tuple[str, ...]:
    """Every opening followed by every way of asking (an empty opening lets the question stand alone); after an
    opening that ends a sentence the question starts with a capital (``{Record}`` is the capitalised record)."""
    templates = []
    for opening in openings:
        for ask in asks:
            if opening.endswith((". ", "? ")):
                ask = (
                    "{Record}" + ask.removeprefix("{record}")
                    if ask.startswith("{record}")
                    else ask[:1].upper() + ask[1:]
                )
            templates.append(opening + ask)
    return tuple(templates)


def phrase(ctx: GenerationContext, book: PhraseBook, record: str, answers: Sequence[str]) -> Phrased:
    """A prompt from ``book`` about ``record``, ending with one of ``answers`` (the answer-format instructions)."""
    return ctx.phrase(book, record=record, Record=record[:1].upper() + record[1:], answer=ctx.choice(answers))


# -- quote approval ---------------------------------------------------------------------------------------------

QUOTE_APPROVAL = PhraseBook(
    {
        "approve_as_priced": family(
            ("", "Quick one: ", "Before I hit submit, ", "Yes or no first, then the rule: "),
            (
                "can {record} be approved with the discounts it carries now? {answer}",
                "is {record} approvable as priced, or does a line discount break one of our approval rules? {answer}",
                "would {record} pass approval with its current line discounts? {answer}",
                "will approvals sign off on the discounting in {record}? {answer}",
            ),
        ),
        "which_article": family(
            ("", "For my notes: ", "Help me out here. ", "One for the approval log: "),
            (
                "which quote approval article does {record} go against, if any? {answer}",
                "what approval policy, if any, do the discounts on {record} violate? {answer}",
                "name the approval rule that {record} breaks with its discounts. {answer}",
                "point me to the discount policy article that {record} conflicts with. {answer}",
            ),
        ),
        "deal_desk": family(
            ("Deal desk review: ", "From the approval queue: ", "Next in the deal desk queue: ", "Desk check: "),
            (
                "{record}. Are its line discounts inside our approval policies? {answer}",
                "does {record} respect every quote approval rule on discounts? {answer}",
                "I need to know whether {record} is discounted beyond what policy allows. {answer}",
                "has {record} been discounted past any approval limit? {answer}",
            ),
        ),
        "customer_waiting": family(
            (
                "The customer is waiting on this one. ",
                "Our buyer wants the paperwork today. ",
                "Time-sensitive: ",
                "They want to sign this week. ",
            ),
            (
                "can I send {record} out as it stands, or is a discount on it over the limit? {answer}",
                "before {record} goes to the customer, tell me if any discount breaks our approval rules. {answer}",
                "is anything in the pricing of {record} going to get it bounced by approvals? {answer}",
                "make sure {record} won't be rejected for its discounts. {answer}",
            ),
        ),
        "finance_flag": family(
            (
                "Finance flagged {record}. ",
                "Our controller raised a concern about {record}. ",
                "Revenue ops pinged me about {record}. ",
                "Audit sent {record} back to me. ",
            ),
            (
                "Are its discounts actually against an approval policy? {answer}",
                "Is there a discount rule it breaks, and which article states it? {answer}",
                "Check its line discounts against the approval articles. {answer}",
                "Which approval article, if any, does it fall foul of? {answer}",
            ),
        ),
        "audit": family(
            ("Discount audit: ", "Quarterly pricing audit: ", "For the compliance sample: ", "Audit trail request: "),
            (
                "does {record} carry a discount that our quote approval rules forbid? {answer}",
                "review the line discounts of {record} against the approval policies. {answer}",
                "record whether {record} is compliant with the discount approval rules. {answer}",
                "is {record} within the approval limits on discounting? {answer}",
            ),
        ),
        "new_hire": family(
            (
                "I'm new to quoting, so bear with me. ",
                "Still learning our pricing rules: ",
                "Sorry if this is basic: ",
                "First week on quotes here. ",
            ),
            (
                "did I discount {record} more than I'm allowed to? {answer}",
                "are the discounts I put on {record} OK under the approval policies? {answer}",
                "is there an approval rule that {record} breaks? {answer}",
                "which approval article, if any, did I trip on {record}? {answer}",
            ),
        ),
        "terse": family(
            ("", "Approval check. ", "Policy check. ", "Pricing check. "),
            (
                "{record}: discount violation? {answer}",
                "{record} vs approval rules. {answer}",
                "discounts on {record} within policy? {answer}",
                "{record}, approvable? {answer}",
            ),
        ),
        "before_signature": family(
            (
                "Before this goes for signature, ",
                "Ahead of the contract stage, ",
                "One last check before signing: ",
                "Prior to the customer countersigning, ",
            ),
            (
                "confirm that {record} needs no discount exception. {answer}",
                "make sure {record} doesn't exceed any discount limit we have. {answer}",
                "verify the discounts of {record} against the quote approval articles. {answer}",
                "tell me whether {record} breaks an approval rule on discounts. {answer}",
            ),
        ),
        "second_opinion": family(
            (
                "My manager thinks {record} is fine. ",
                "The rep swears {record} is within policy. ",
                "I'm not sure about {record}. ",
                "Two of us disagree on {record}. ",
            ),
            (
                "Can you double-check its discounts against the approval rules? {answer}",
                "Is any of its line discounts over a limit set by our policies? {answer}",
                "Which approval article, if any, would it fail? {answer}",
                "Settle it: does it break a discount approval rule? {answer}",
            ),
        ),
        "escalation": family(
            (
                "Do I need to escalate {record}? ",
                "Should {record} go to the VP for a discount exception? ",
                "Is {record} a case for the pricing committee? ",
            ),
            (
                "Tell me which approval policy it breaks, if any. {answer}",
                "Only if a discount breaks one of our approval articles. {answer}",
                "Check each line's discount against what the articles allow. {answer}",
                "It depends on whether an approval rule is broken, so which one? {answer}",
            ),
        ),
        "pricing_sanity": family(
            ("Sanity check on pricing: ", "Pricing question: ", "Something looks off: ", "Gut check: "),
            (
                "are the line discounts of {record} allowed by the quote approval policies? {answer}",
                "does {record} give away more discount than the approval articles permit? {answer}",
                "is {record} over-discounted by our own rules? {answer}",
                "would our approval rules let {record} through at these discounts? {answer}",
            ),
        ),
    }
)
APPROVAL_ANSWERS = (
    "Return only the Id of the knowledge article it violates, or None if it violates none.",
    "Answer with just the article Id, or None if every discount is within policy.",
    "Give me the Id of the violated article and nothing else; None if the quote is fine.",
    "Reply with the knowledge article's Id only (None when no approval rule is broken).",
    "Only the article Id, please, or None if nothing is broken.",
    "I just need the article Id, or None if it passes.",
)

# -- invalid configuration -------------------------------------------------------------------------------------

INVALID_CONFIG = PhraseBook(
    {
        "valid_setup": family(
            ("", "Quick one: ", "Before I submit it, ", "Sanity check: "),
            (
                "is the product setup on {record} a valid configuration? {answer}",
                "does {record} combine products, or quantities, that our configuration rules forbid? {answer}",
                "can {record} be built as configured? {answer}",
                "is the mix of products and quantities on {record} allowed? {answer}",
            ),
        ),
        "which_article": family(
            ("", "For the record: ", "Help me out. ", "For my notes: "),
            (
                "which configuration rule article does {record} break, if any? {answer}",
                "what configuration policy does {record} run against? {answer}",
                "name the configuration article that {record} violates. {answer}",
                "point me to the product rule that {record} doesn't meet. {answer}",
            ),
        ),
        "solution_engineer": family(
            ("Solution engineering here. ", "From the SE team: ", "Technical review: ", "Pre-sales check: "),
            (
                "will the products on {record} actually work together under our configuration rules? {answer}",
                "check the products and line quantities of {record} against the configuration articles. {answer}",
                "is {record} missing a required product, mixing incompatible ones, or over a quantity limit? {answer}",
                "does the bill of materials on {record} follow our configuration rules? {answer}",
            ),
        ),
        "ops_bounce": family(
            (
                "Operations bounced {record}. ",
                "Fulfilment rejected {record}. ",
                "Provisioning kicked back {record}. ",
                "Order management flagged {record}. ",
            ),
            (
                "Which configuration rule did it trip, if any? {answer}",
                "Is its product configuration really invalid? {answer}",
                "Look at its products and quantities and tell me the rule it breaks. {answer}",
                "Was that right, and under which configuration article? {answer}",
            ),
        ),
        "customer_bundle": family(
            (
                "The customer built this bundle themselves. ",
                "The buyer asked for exactly these products. ",
                "This is the mix the client wants. ",
                "Procurement sent us their own list. ",
            ),
            (
                "Does {record} hold together under our configuration rules? {answer}",
                "Is the configuration on {record} one we are allowed to sell? {answer}",
                "Check {record} for product combinations or quantities we don't allow. {answer}",
                "Which configuration article, if any, does {record} break? {answer}",
            ),
        ),
        "audit": family(
            ("Configuration audit: ", "For the quarterly quote sample: ", "Spot check: ", "Quality review: "),
            (
                "does {record} break any product configuration rule? {answer}",
                "review the products on {record} against the configuration articles. {answer}",
                "record whether {record} has a valid configuration. {answer}",
                "is every product on {record} quoted the way our rules require? {answer}",
            ),
        ),
        "new_hire": family(
            (
                "I'm still learning the catalog. ",
                "New to the product rules, sorry: ",
                "Not sure I set this up right. ",
                "First quote I've built alone. ",
            ),
            (
                "did I put together {record} in a way the configuration rules allow? {answer}",
                "is there a configuration rule that {record} breaks? {answer}",
                "are the products and quantities on {record} OK? {answer}",
                "which rule, if any, did I get wrong on {record}? {answer}",
            ),
        ),
        "terse": family(
            ("", "Config check. ", "Setup check. ", "Bundle check. "),
            (
                "{record}: invalid configuration? {answer}",
                "{record} vs configuration rules. {answer}",
                "products on {record} valid together? {answer}",
                "{record}, buildable as quoted? {answer}",
            ),
        ),
        "quantities": family(
            ("About quantities and pairings: ", "Checking pairings: ", "Two things, pairings and volumes: "),
            (
                "are the products on {record} allowed together, and in those quantities? {answer}",
                "does any line on {record} pair or size a product in a way policy forbids? {answer}",
                "is every product on {record} quoted with what it needs and within its limits? {answer}",
                "which configuration article, if any, do the pairings or volumes on {record} break? {answer}",
            ),
        ),
        "before_sending": family(
            ("Before {record} goes out, ", "Ahead of sending {record}, ", "Prior to releasing {record}, "),
            (
                "confirm its configuration breaks none of our rules. {answer}",
                "make sure nothing on it is an invalid product combination. {answer}",
                "check its lines against every configuration rule article. {answer}",
                "tell me if its setup breaks a configuration rule. {answer}",
            ),
        ),
        "partner_request": family(
            (
                "Our reseller asked about {record}. ",
                "A partner wants to resell {record} as is. ",
                "The channel team is asking about {record}. ",
            ),
            (
                "Is its product setup valid by our configuration rules? {answer}",
                "Does it break a configuration article? {answer}",
                "Which configuration rule, if any, stands in the way? {answer}",
                "Can it be sold as configured? {answer}",
            ),
        ),
        "rework": family(
            (
                "Do I need to rework {record}? ",
                "Should I rebuild {record} before sending? ",
                "Is {record} going to need changes? ",
            ),
            (
                "Only if its product configuration breaks a rule; tell me which. {answer}",
                "Check whether its products and quantities are allowed. {answer}",
                "Tell me the configuration article it violates, if there is one. {answer}",
                "It comes down to the configuration rules. {answer}",
            ),
        ),
    }
)
CONFIG_ANSWERS = (
    "Return only the Id of the knowledge article the invalid configuration violates, or None if it is valid.",
    "Answer with the article Id alone, or None if the configuration is valid.",
    "Just the Id of the configuration article, please; None if nothing is wrong.",
    "Reply with only the knowledge article Id (None if the setup is allowed).",
    "Give me the violated article's Id and nothing else, or None.",
    "I only need the article Id, or None when the configuration is fine.",
)

# -- activity priority ------------------------------------------------------------------------------------------

ACTIVITY_PRIORITY = PhraseBook(
    {
        "off_stage": family(
            ("", "Quick one: ", "Can you check something? ", "Small favour: "),
            (
                "which not-started tasks on {record} don't belong to the stage it's in? {answer}",
                "find the tasks on {record} that haven't started and belong to a different stage. {answer}",
                "list the not-started tasks of {record} that don't fit its current stage. {answer}",
                "what on {record} is queued but not started and meant for another stage? {answer}",
            ),
        ),
        "cleanup": family(
            ("Pipeline hygiene: ", "Cleaning up the task list: ", "Tidying the pipeline: ", "Spring cleaning: "),
            (
                "which tasks on {record} that nobody has started yet are for another stage? {answer}",
                "flag the tasks on {record} that are not started and don't match its stage. {answer}",
                "what should come off the to-do list of {record} because it's work for another stage? {answer}",
                "point out the not-started tasks on {record} that sit in the wrong stage. {answer}",
            ),
        ),
        "rep_focus": family(
            (
                "My rep keeps working on the wrong things. ",
                "I want my team focused. ",
                "We're spreading ourselves thin. ",
                "Too much busywork lately. ",
            ),
            (
                "On {record}, which tasks not started yet belong to a different stage? {answer}",
                "Which not-started tasks of {record} are out of step with its stage? {answer}",
                "Tell me which queued tasks on {record} don't match where the deal is. {answer}",
                "Which tasks on {record}, still to start, are another stage's work? {answer}",
            ),
        ),
        "weekly_review": family(
            ("For the weekly pipeline review, ", "Ahead of our forecast call, ", "For Monday's deal review, "),
            (
                "pick out the not-started tasks on {record} that belong to another stage. {answer}",
                "which tasks of {record} are still to start but don't match its stage? {answer}",
                "identify mismatched not-started tasks on {record}. {answer}",
                "I need the not-started tasks of {record} that aren't for its stage. {answer}",
            ),
        ),
        "manager": family(
            ("As the sales manager, ", "Manager here: ", "From the regional lead: ", "Speaking for the team: "),
            (
                "I need the not-started tasks on {record} that are for a stage it isn't in. {answer}",
                "show me which tasks on {record} haven't started and don't fit its stage. {answer}",
                "which to-dos on {record} are not started and misaligned with its stage? {answer}",
                "give me the not-started tasks of {record} that belong elsewhere in the pipeline. {answer}",
            ),
        ),
        "terse": family(
            ("", "Task check. ", "Stage fit. ", "To-do audit. "),
            (
                "{record}: not-started tasks from the wrong stage? {answer}",
                "mismatched not-started tasks on {record}. {answer}",
                "{record}, off-stage tasks not yet started. {answer}",
                "not-started tasks on {record} outside its stage? {answer}",
            ),
        ),
        "new_hire": family(
            (
                "I'm new here and want to prioritise right. ",
                "Still learning our stages: ",
                "Sorry, basic question: ",
                "Trying not to waste time: ",
            ),
            (
                "which of the tasks I haven't started on {record} are for a different stage? {answer}",
                "are any not-started tasks on {record} from another stage than the deal is in? {answer}",
                "what on {record} shouldn't I be doing yet, or anymore, given its stage? {answer}",
                "which not-started tasks on {record} can wait because they're for another stage? {answer}",
            ),
        ),
        "handover": family(
            (
                "I'm taking over {record} from a colleague. ",
                "I just inherited {record}. ",
                "{record} was reassigned to me. ",
                "Picking up {record} while its owner is away. ",
            ),
            (
                "Which of its not-started tasks belong to another stage than the one it's in? {answer}",
                "Which tasks on it, not started yet, don't match its stage? {answer}",
                "Tell me the not-started tasks that don't fit where it stands. {answer}",
                "What's queued on it for a different stage? {answer}",
            ),
        ),
        "calendar": family(
            ("Planning my week: ", "Sorting my calendar: ", "Before I book time: ", "Blocking out Friday: "),
            (
                "on {record}, which tasks I haven't begun are work for some other stage? {answer}",
                "which not-started items on {record} are out of place for its stage? {answer}",
                "which open tasks on {record}, not yet started, can I drop as another stage's work? {answer}",
                "on {record}, what's not started and not meant for the current stage? {answer}",
            ),
        ),
        "guide_check": family(
            ("Using the stage activity guide, ", "Going by our stage definitions, ", "Per the stage guide, "),
            (
                "which not-started tasks on {record} belong to a stage other than its current one? {answer}",
                "find the tasks on {record} that are not started and listed under another stage. {answer}",
                "compare the not-started tasks of {record} with its stage and give me the misfits. {answer}",
                "which of the not-started tasks on {record} fall under a different stage? {answer}",
            ),
        ),
        "coaching": family(
            ("For a coaching session, ", "For my one-on-one with the rep, ", "To prepare some feedback, "),
            (
                "which not-started tasks on {record} are for the wrong stage? {answer}",
                "I want examples from {record}: not-started tasks that don't match its stage. {answer}",
                "list what's queued on {record} but belongs to another stage. {answer}",
                "which tasks not yet started on {record} show misplaced effort? {answer}",
            ),
        ),
        "ops_report": family(
            ("Sales ops report: ", "Data quality check: ", "CRM audit: ", "Dashboard cleanup: "),
            (
                "not-started tasks on {record} whose stage differs from the opportunity's. {answer}",
                "which tasks of {record} with status Not Started belong to other stages? {answer}",
                "pick out the off-stage tasks on {record} that are not started. {answer}",
                "flag every Not Started task on {record} listed under another stage. {answer}",
            ),
        ),
    }
)
PRIORITY_ANSWERS = (
    "Return only the Ids of those tasks, or None if there are none.",
    "Answer with the task Ids only; None if every not-started task fits.",
    "Just the task Ids, please, or None.",
    "Give me the Ids and nothing else (None if nothing is out of place).",
    "Reply with only the Ids of the tasks, or None when all of them match the stage.",
    "List the task Ids alone; say None if there aren't any.",
)

# -- wrong stage ------------------------------------------------------------------------------------------------

WRONG_STAGE = PhraseBook(
    {
        "is_it_right": family(
            ("", "Quick one: ", "Can you check? ", "Small question: "),
            (
                "is {record} in the right stage, given the tasks logged on it? {answer}",
                "does the stage of {record} match the work recorded on it? {answer}",
                "is the stage on {record} accurate, judging by its tasks? {answer}",
                "do the tasks on {record} back up the stage it's in? {answer}",
            ),
        ),
        "forecast": family(
            (
                "Our forecast looks off. ",
                "The pipeline numbers don't add up. ",
                "Forecast call prep: ",
                "The weighted pipeline seems wrong. ",
            ),
            (
                "Is {record} sitting in the stage its tasks point to? {answer}",
                "Should {record} be in a different stage, based on its activities? {answer}",
                "Which stage do the tasks on {record} actually put it in? {answer}",
                "Is {record} staged where its tasks say it is? {answer}",
            ),
        ),
        "data_quality": family(
            ("Data quality review: ", "CRM hygiene: ", "Stage audit: ", "Cleanup pass: "),
            (
                "check whether {record} carries the stage its tasks call for. {answer}",
                "the stage of {record} against its tasks: right or wrong? {answer}",
                "does {record} need its stage corrected, going by its tasks? {answer}",
                "is the recorded stage of {record} consistent with its tasks? {answer}",
            ),
        ),
        "manager": family(
            ("As the sales manager, ", "Manager here: ", "From the regional director: ", "On behalf of the VP: "),
            (
                "I want to know if {record} is staged correctly for the work on it. {answer}",
                "tell me whether the tasks on {record} support its current stage. {answer}",
                "is {record} mis-staged? Look at its tasks. {answer}",
                "which stage belongs on {record}, given its tasks? {answer}",
            ),
        ),
        "terse": family(
            ("", "Stage check. ", "Quick audit. ", "Pipeline check. "),
            (
                "{record}: correct stage? {answer}",
                "stage of {record} vs its tasks. {answer}",
                "{record}, right stage for its activities? {answer}",
                "{record} staged right? {answer}",
            ),
        ),
        "new_hire": family(
            (
                "I'm new and still learning our stages. ",
                "Sorry if this is obvious: ",
                "Trying to learn the pipeline: ",
                "Still getting used to our stages. ",
            ),
            (
                "does {record} sit in the stage its tasks belong to? {answer}",
                "is the stage I see on {record} the one its tasks suggest? {answer}",
                "would you move {record} to another stage, going by its tasks? {answer}",
                "what stage do the tasks of {record} belong to? {answer}",
            ),
        ),
        "handover": family(
            (
                "I just inherited {record}. ",
                "{record} was handed over to me. ",
                "Taking over {record} today. ",
                "Covering {record} for a colleague. ",
            ),
            (
                "Is its stage consistent with the tasks on it? {answer}",
                "Does the recorded stage fit the work logged so far? {answer}",
                "Before I trust its stage: do the tasks agree with it? {answer}",
                "What stage should it show, judging by its tasks? {answer}",
            ),
        ),
        "board_report": family(
            (
                "For the board deck, ",
                "For the quarterly business review, ",
                "Before I publish the pipeline report, ",
                "For the investor update, ",
            ),
            (
                "confirm {record} is in the stage its tasks show. {answer}",
                "make sure the stage of {record} matches its activity history. {answer}",
                "is {record} reported in the right stage, judging by its tasks? {answer}",
                "tell me the stage {record} really belongs in, per its tasks. {answer}",
            ),
        ),
        "rep_claim": family(
            (
                "The rep says {record} is where it should be. ",
                "I was told {record} is staged right. ",
                "Someone moved {record} recently. ",
                "There's a dispute over {record}. ",
            ),
            (
                "Do its tasks agree with that stage? {answer}",
                "Check its tasks against the stage definitions. {answer}",
                "What stage do its tasks support? {answer}",
                "Is its stage what its tasks say? {answer}",
            ),
        ),
        "guide_check": family(
            (
                "Using the stage definitions article, ",
                "Going by our stage guide, ",
                "Per the opportunity stage definitions, ",
            ),
            (
                "is {record} in the right stage for its tasks? {answer}",
                "which stage should {record} be in, given its tasks? {answer}",
                "does the stage of {record} agree with the activities on it? {answer}",
                "check the stage of {record} against its tasks. {answer}",
            ),
        ),
        "commission": family(
            ("Commission time: ", "Before we pay out, ", "Quota check: ", "For the incentive report, "),
            (
                "is {record} staged correctly, or do its tasks say otherwise? {answer}",
                "would the tasks on {record} justify a different stage? {answer}",
                "verify the stage of {record} against its tasks. {answer}",
                "does {record} belong in the stage it shows, given its tasks? {answer}",
            ),
        ),
        "move_or_not": family(
            ("Should I move {record}? ", "Do I need to update {record}? ", "Is {record} due for a stage change? "),
            (
                "Only if its tasks put it in another stage. {answer}",
                "Look at its tasks and tell me the stage they support. {answer}",
                "Compare its stage with its tasks. {answer}",
                "Go by the tasks logged on it. {answer}",
            ),
        ),
    }
)
STAGE_ANSWERS = (
    "Return only the correct stage label among ({stages}), or None if the current stage is right.",
    "Answer with one of {stages} if it should change, or None if it is correct.",
    "Give just the stage it belongs in ({stages}); None if it's already right.",
    "Reply with the right stage name only, from {stages}, or None when nothing needs to change.",
    "Only the stage label, please ({stages}), or None.",
)

# -- lead routing -----------------------------------------------------------------------------------------------

LEAD_ROUTING = PhraseBook(
    {
        "who_takes_it": family(
            ("", "Quick one: ", "Routing question: ", "Help me route this: "),
            (
                "which agent should {record} be assigned to? {answer}",
                "who is the right agent to take over {record}? {answer}",
                "to which agent should {record} be routed? {answer}",
                "which of our agents gets {record}? {answer}",
            ),
        ),
        "inbound": family(
            ("A new lead came in. ", "Fresh inbound lead: ", "Just landed in the queue: ", "New web lead. "),
            (
                "Who gets {record} under our routing policy? {answer}",
                "{record} needs an owner; who should it be? {answer}",
                "Route {record} to the right agent, please. {answer}",
                "Which agent should pick up {record}? {answer}",
            ),
        ),
        "reassign": family(
            (
                "{record} is with the wrong person, I think. ",
                "I'm not sure {record} is owned by the right rep. ",
                "{record} may be misassigned. ",
                "Ownership of {record} looks off. ",
            ),
            (
                "Who should own it according to the routing policy? {answer}",
                "Which agent does the policy send it to? {answer}",
                "Tell me the agent it should go to. {answer}",
                "Who is its rightful owner under our rules? {answer}",
            ),
        ),
        "territory": family(
            ("By territory and track record, ", "Going by territory, ", "Following the routing rules, "),
            (
                "which agent should work {record}? {answer}",
                "who is the best agent for {record}? {answer}",
                "which rep should {record} land with? {answer}",
                "who should follow up with {record}? {answer}",
            ),
        ),
        "manager": family(
            ("As the sales manager, ", "Team lead here: ", "From sales ops: ", "Quick decision needed: "),
            (
                "I need to assign {record}. Who gets it? {answer}",
                "which of our agents should take {record}? {answer}",
                "who do we hand {record} to? {answer}",
                "which agent does {record} go to under the policy? {answer}",
            ),
        ),
        "terse": family(
            ("", "Routing. ", "Assign. ", "Lead routing. "),
            (
                "{record}: which agent? {answer}",
                "owner for {record}? {answer}",
                "{record} goes to whom? {answer}",
                "agent for {record}? {answer}",
            ),
        ),
        "fairness": family(
            (
                "I want leads to go to whoever closes. ",
                "Let's reward the agents who win. ",
                "Routing should follow results. ",
                "Winners get the next lead. ",
            ),
            (
                "Who should get {record} under our policy? {answer}",
                "Which agent does the routing policy pick for {record}? {answer}",
                "Who is next in line for {record}? {answer}",
                "Who earns {record}? {answer}",
            ),
        ),
        "new_hire": family(
            (
                "I'm new to lead routing. ",
                "First week on the desk, sorry: ",
                "Still learning how we route: ",
                "Not sure how this works yet. ",
            ),
            (
                "who should I assign {record} to? {answer}",
                "which agent does {record} belong with? {answer}",
                "how do I route {record}; which agent gets it? {answer}",
                "where does {record} go? {answer}",
            ),
        ),
        "backlog": family(
            (
                "Clearing the routing backlog: ",
                "Working through unassigned leads: ",
                "Backlog cleanup: ",
                "End-of-day routing: ",
            ),
            (
                "{record} is next. Which agent takes it? {answer}",
                "who should {record} be routed to? {answer}",
                "pick the agent for {record}. {answer}",
                "which agent is {record} for? {answer}",
            ),
        ),
        "event_lead": family(
            (
                "We met {record} at a trade show. ",
                "{record} filled in our web form. ",
                "{record} called in yesterday. ",
                "{record} downloaded our whitepaper. ",
            ),
            (
                "Which agent should follow up? {answer}",
                "Who should own the lead now? {answer}",
                "Which of our agents should it be routed to? {answer}",
                "Who takes it from here? {answer}",
            ),
        ),
        "audit": family(
            ("Routing audit: ", "Checking assignments: ", "Ownership review: ", "Territory review: "),
            (
                "which agent should own {record} under the routing policy? {answer}",
                "who would the policy assign {record} to? {answer}",
                "the right owner for {record}, per policy? {answer}",
                "which agent does the policy give {record} to? {answer}",
            ),
        ),
        "handoff": family(
            ("Marketing is handing over {record}. ", "SDR handoff for {record}. ", "Passing {record} to sales. "),
            (
                "Which agent receives it? {answer}",
                "Who on the sales team gets it? {answer}",
                "Route it to the right agent. {answer}",
                "Whose desk does it land on? {answer}",
            ),
        ),
    }
)
ROUTING_ANSWERS = (
    "Return only the Id of the agent.",
    "Answer with the agent's User Id only.",
    "Just the agent's Id, please.",
    "Reply with nothing but the Id of that agent.",
    "Give me only the User Id of the agent.",
)
