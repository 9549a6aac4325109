"""Why a message bounced: the machine reason, from the diagnostic text first
and the DSN status code second.

The vocabulary is sisimai's (userunknown, mailboxfull, filtered, expired…),
because its test corpus is the one we measure against and because it is the
most complete public taxonomy of real bounce texts. Text wins over the code:
servers routinely send 5.0.0 or 5.7.1 for very different reasons, and the
words of the diagnostic are what says "mailbox full" or "listed on a DNSBL".
"""

from __future__ import annotations

import re

# Only these mean "the address itself is bad, stop sending to it". Everything
# else (full mailbox, spam filter, greylisting, reputation, timeouts…) may
# clear up on its own, so it is counted, not acted on. Same set as sisimai's
# hard bounces.
HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved", "notaccept"})

# Ordered: the first match wins, so the specific patterns (DMARC, PTR,
# quotas) come before the broad ones ("rejected", "blocked") that such
# texts also contain.
_TEXT_RULES: list[tuple[str, str]] = [
    (
        "authfailure",
        r"\bdmarc\b|\bspf\b|sender policy framework|\bdkim\b|authentication[- ]results?"
        r"|unauthenticated email|not authenticated.{0,40}domain|5\.7\.(?:2[3-6]|509)",
    ),
    (
        "requireptr",
        r"\bptr\b|reverse (?:dns|lookup|hostname|address)|rdns|no reverse"
        r"|cannot find your hostname|cannot find your reverse|unresolvable|"
        r"ip (?:address )?(?:has )?no (?:ptr|name)|hostname.{0,20}(?:not|does not) match"
        r"|client host .{0,60}(?:unknown|not found)|5\.7\.25",
    ),
    (
        "badreputation",
        r"(?:poor|low|bad) (?:ip )?reputation|reputation (?:of|is)|sender reputation"
        r"|ip reputation|temporarily deferred due to unexpected volume|5\.7\.650",
    ),
    ("virusdetected", r"\bvirus|malware|infected"),
    (
        "spamdetected",
        r"\bspam|\buce\b|junk mail|bulk mail|message (?:content|looks) .{0,30}(?:spam|junk)"
        r"|high probability of|scored too high|5\.7\.0 .{0,40}blocked by .{0,20}filter",
    ),
    (
        "norelaying",
        r"relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|not allowed)"
        r"|not permitted to relay|unable to relay|we do not relay|relay not allowed"
        r"|no relaying",
    ),
    (
        "mailboxfull",
        r"mailbox (?:is )?full|mailbox .{0,20}(?:exceed|full|over)|quota|over ?quota"
        r"|(?:storage|disk) (?:space|allocation) .{0,30}exceed|exceed.{0,30}storage"
        r"|insufficient (?:disk|storage) .{0,20}(?:user|mailbox)|full mailbox"
        r"|boîte .{0,20}pleine|mailbox size limit|is over .{0,10}limit|no space left"
        r"|account is full|user(?:'s)? .{0,20}full",
    ),
    (
        "systemfull",
        r"insufficient system (?:storage|resources)|system (?:disk )?full|disk full"
        r"|out of (?:disk|storage)",
    ),
    (
        "mesgtoobig",
        r"(?:message|mail) (?:is )?(?:too (?:big|large)|size exceeds|exceeds .{0,20}size)"
        r"|size limit|exceeds .{0,20}(?:maximum|max) .{0,20}size|message length exceeds"
        r"|too large",
    ),
    (
        "exceedlimit",
        r"message header (?:size )?exceeds|exceeds? (?:the )?(?:message )?limit|5\.2\.3",
    ),
    (
        "toomanyconn",
        r"too many (?:connections|concurrent|smtp sessions|recipients|hops)"
        r"|connection (?:rate )?limit|too many sessions",
    ),
    (
        "speeding",
        r"rate limit|too many (?:messages|emails|mails)|sending rate|exceeded .{0,30}rate"
        r"|try again later.{0,40}too fast",
    ),
    (
        "suspend",
        r"(?:account|mailbox|address|user) .{0,30}(?:disabled|suspended|inactive|deactivated|"
        r"not active|locked|frozen|closed|blocked by the administrator|expired)"
        r"|(?:disabled|suspended|inactive) (?:account|mailbox|user)|5\.7\.13",
    ),
    (
        "hasmoved",
        r"has moved|address has changed|no longer (?:at|with|valid at)|5\.1\.6",
    ),
    (
        "notaccept",
        r"does not accept (?:any )?mail|null mx|not accept(?:ing)? (?:any )?mail"
        r"|5\.7\.27",
    ),
    (
        "hostunknown",
        r"host (?:or domain name )?(?:unknown|not found)|unknown host|domain (?:not found|"
        r"does not exist|name not found)|no such domain|name service error"
        r"|unrouteable address|unroutable|no mx|mx .{0,30}not found|domain .{0,30}unknown"
        r"|nxdomain|host not found|dns (?:error|failure)|unknown domain|invalid domain"
        r"|5\.1\.2|5\.4\.4",
    ),
    (
        "userunknown",
        r"user(?:name)? (?:unknown|not found|does not exist|doesn't exist|invalid)"
        r"|unknown (?:user|recipient|local[- ]part|address|mailbox)|no such (?:user|mailbox|"
        r"recipient|address|account|local user|person)|recipient (?:unknown|not found|invalid|"
        r"address rejected|does not exist|rejected)|invalid (?:recipient|mailbox|address|user)"
        r"|(?:mailbox|address|account|recipient|user|addressee|destination) .{0,40}"
        r"(?:does not exist|doesn't exist|not exist|unknown|not found|unavailable|invalid)"
        r"|not a valid (?:mailbox|recipient|user)|mailbox unavailable|no mailbox"
        r"|adresse .{0,30}(?:inconnue|invalide|n'existe pas)|destinataire inconnu"
        r"|utilisateur inconnu|not our customer|unknown or illegal alias|bad destination"
        r"|email account .{0,30}does not exist|recipientnotfound|access denied"
        r"|5\.1\.[1345]\b",
    ),
    (
        "rejected",
        r"sender .{0,40}(?:rejected|refused|denied|not allowed|blocked|invalid|unknown"
        r"|verify failed)|sender verify|envelope sender|domain of sender|from address"
        r"|mail from .{0,30}(?:rejected|refused)|bad sender|return address"
        r"|your (?:e-?mail )?address .{0,30}(?:rejected|refused)|5\.1\.[78]"
        r"|permission to post|not allowed to post|google groups",
    ),
    (
        "blocked",
        r"blocked|black ?list|block ?list|\brbl\b|dnsbl|spamhaus|spamcop|listed (?:at|in|on)"
        r"|client host .{0,40}rejected|banned|connection (?:refused|rejected|dropped)"
        r"|not allowed to (?:send|connect)|refused to talk|access (?:denied|refused) .{0,30}ip"
        r"|your ip|ip address .{0,40}(?:rejected|refused|not allowed)",
    ),
    (
        "filtered",
        r"filter|refuse[sd]? (?:to accept|mail|messages)|does not (?:wish|want) to receive"
        r"|not authorized to (?:send|receive)|delivery not authorized|content restriction"
        r"|recipient has (?:blocked|rejected)|rejected by (?:the )?recipient|permission denied",
    ),
    (
        "policyviolation",
        r"policy|not compliant|violat|prohibited|local policy",
    ),
    (
        "securityerror",
        r"authentication (?:required|failed|failure)|starttls|\btls\b|ssl|encryption required"
        r"|must (?:issue|use) .{0,20}(?:starttls|auth)|5\.7\.0|5\.7\.8",
    ),
    (
        "expired",
        r"retry time|timed? ?out|time(?:d)? out|has been delayed|delivery (?:time )?expired"
        r"|could not be delivered (?:within|for)|giving up|too many retries|retry timeout"
        r"|expired|cannot send message for|not (?:been )?delivered .{0,30}(?:days|hours)"
        r"|delayed|still being retried|will (?:continue|keep) (?:to )?(?:try|retry)"
        r"|did not accept our requests to connect|in the queue too long|too long in queue"
        r"|4\.4\.7|5\.4\.7",
    ),
    (
        "networkerror",
        r"could not connect|connection (?:timed out|lost|closed|reset)|no route to host"
        r"|network (?:is )?unreachable|routing loop|hop count|too many hops|mail loop"
        r"|loops? back|5\.4\.6",
    ),
    (
        "mailererror",
        r"mailer error|command (?:died|failed|output)|procmail|\bpipe\b|x-unix"
        r"|local delivery failed|exit (?:code|status)",
    ),
    ("syntaxerror", r"syntax error|command not recognized|command unrecognized|bad syntax"),
    (
        "contenterror",
        r"content (?:rejected|error|not accepted|type)|message content"
        r"|header (?:is )?(?:invalid|malformed|too long)|message (?:is )?(?:malformed"
        r"|corrupt)|charset|8-?bit",
    ),
    (
        "systemerror",
        r"system error|internal (?:server )?error|configuration error|server error|i/o error"
        r"|temporary (?:local )?(?:failure|problem|error)|try again later|service unavailable"
        r"|system (?:problem|failure)|misconfigur",
    ),
]

_COMPILED = [(reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in _TEXT_RULES]

# Status codes that say enough on their own (RFC 3463 and the enhanced codes
# the big providers added), for bounces whose text matched nothing.
_STATUS_REASONS = {
    "1.1": "userunknown",
    "1.2": "hostunknown",
    "1.3": "userunknown",
    "1.4": "userunknown",
    "1.5": "userunknown",
    "1.6": "hasmoved",
    "1.7": "rejected",
    "1.8": "rejected",
    # Office 365 sends 5.1.10 for RecipientNotFound, not RFC 7505's null MX.
    "1.10": "userunknown",
    "2.1": "filtered",
    "2.2": "mailboxfull",
    "2.3": "exceedlimit",
    "3.1": "systemfull",
    "3.2": "notaccept",
    "3.4": "mesgtoobig",
    "3.5": "systemerror",
    "4.1": "expired",
    "4.2": "expired",
    "4.3": "systemerror",
    "4.4": "hostunknown",
    "4.5": "systemfull",
    "4.6": "networkerror",
    "4.7": "expired",
    "4.316": "expired",
    "5.3": "toomanyconn",
    "6.0": "contenterror",
    "7.0": "securityerror",
    "7.1": "securityerror",
    "7.9": "policyviolation",
    "7.13": "suspend",
    "7.23": "authfailure",
    "7.25": "requireptr",
    "7.26": "authfailure",
    "7.27": "notaccept",
    "7.509": "authfailure",
    "7.606": "blocked",
    "7.650": "badreputation",
}


def reason_from_text(text: str) -> str | None:
    """The first reason whose pattern the diagnostic text matches."""
    for reason, pattern in _COMPILED:
        if pattern.search(text):
            return reason
    return None


def reason_from_status(status: str | None) -> str | None:
    if not status:
        return None
    detail = status.partition(".")[2]
    return _STATUS_REASONS.get(detail)


def decide(status: str | None, diagnostic: str, action: str | None) -> str:
    """The reason for one failed recipient."""
    if action in ("delivered", "relayed", "expanded", "deliverable") or (status or "").startswith(
        "2"
    ):
        return "delivered"
    # A precise subject/detail code (5.1.1, 5.2.2, 5.7.26…) is more reliable
    # than free text; the vague ones (x.0.0, x.7.1, x.5.0) are not.
    by_status = reason_from_status(status)
    if by_status and status and status.split(".", 1)[1] in _PRECISE:
        return by_status
    by_text = reason_from_text(diagnostic) if diagnostic else None
    if by_text:
        return by_text
    if by_status:
        return by_status
    if action == "delayed" or (status or "").startswith("4"):
        return "expired"
    return "undefined"


def is_hard(reason: str, status: str | None) -> bool:
    # A 4.x.x is by definition temporary, whatever the words say.
    return reason in HARD_REASONS and not (status or "").startswith("4")


_PRECISE = frozenset(
    {
        "1.2",
        "1.6",
        "1.7",
        "1.8",
        "1.10",
        "4.6",
        "4.316",
        "7.606",
        "2.2",
        "2.3",
        "3.4",
        "7.13",
        "7.23",
        "7.25",
        "7.26",
        "7.27",
        "7.509",
        "7.650",
    }
)
