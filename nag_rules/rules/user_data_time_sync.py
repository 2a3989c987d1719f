import re

from nag_rules.assembly import Resource, is_intrinsic, show
from nag_rules.cfn import HOLE, launch_template_of, user_data
from nag_rules.engine import Check, Rule, compliant, non_compliant, unresolved
from nag_rules.standards import CHRONY_TIME_SYNC, TIME_SYNC_IPV4

_SOURCE = r"[ \t]+".join(map(re.escape, CHRONY_TIME_SYNC.split()))
_CHRONY_FILE = r"/etc/chrony\.conf|/etc/chrony(?:\.d)?(?:/[\w@-][\w.@-]*)+"
"""/etc/chrony.conf, or a file under /etc/chrony.d/ or /etc/chrony/ (no hidden or ``..`` segments)."""

SOURCE_LINE = re.compile(rf"[ \t]*{_SOURCE}[ \t]*")
"""The Time Sync source as a whole chrony configuration line (in a heredoc)."""
ECHO_LINE = re.compile(rf"[ \t]*echo[ \t]+(['\"])[ \t]*{_SOURCE}[ \t]*\1[ \t]*>>?[ \t]*(?P<file>{_CHRONY_FILE})[ \t]*")
"""The way ApplicationServers writes it: ``echo '<source>' > /etc/chrony.d/<file>``."""
HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)[ \t]*(['\"]?)([A-Za-z_][\w.-]*)\2")
CHRONY_HEREDOC = re.compile(
    rf"[ \t]*(?:cat[ \t]*>>?[ \t]*(?P<cat>{_CHRONY_FILE})"
    rf"|tee(?:[ \t]+-a)?[ \t]+(?P<tee>{_CHRONY_FILE})(?:[ \t]*>[ \t]*/dev/null)?)[ \t]*")
"""A heredoc opener, its ``<<EOF`` taken out, that writes the body to a chrony file."""
SHEBANG = re.compile(r"#![ \t]*(?:\S*/)?(?:env[ \t]+)?(?:ba|da|k|z)?sh\b")


def user_data_time_sync(resource: Resource) -> Check:
    if resource.type == "AWS::EC2::LaunchTemplate":
        data = resource.prop("LaunchTemplateData")
        if not isinstance(data, dict) or is_intrinsic(data):
            return unresolved(f"{resource.path}: LaunchTemplateData = {show(data)}")
        keys: tuple[str, ...] = ("LaunchTemplateData", "UserData")
    else:
        keys = ("UserData",)
        if resource.type == "AWS::EC2::Instance" and resource.prop("UserData") is None \
                and resource.prop("LaunchTemplate") is not None:
            template = launch_template_of(resource)
            if not isinstance(template, Resource):
                return unresolved(f"{resource.path}: no UserData and {template}")
            return user_data_time_sync(template)
    where = f"{resource.path}: UserData"
    script = user_data(resource, *keys)
    if script is None:
        return non_compliant(f"{where} absent, so chrony keeps whatever sources the AMI ships with")
    if not script.replace(HOLE, "").strip():
        return unresolved(f"{where} is known only at deploy time (or is not plain text)")
    first = script.split("\n", 1)[0]
    if HOLE in first:
        return unresolved(f"{where} starts with a value known only at deploy time, so whether it is a shell "
                          "script cannot be told")
    if not SHEBANG.match(first):
        return non_compliant(f"{where} is not a shell script (first line {first[:40]!r}), so no line of it runs "
                             f"as a command writing '{CHRONY_TIME_SYNC}'")
    found = _written(script)
    if found is not None:
        number, file = found
        return compliant(f"{where} line {number} writes '{CHRONY_TIME_SYNC}' to {file}")
    mentions = [str(n) for n, line in enumerate(script.split("\n"), 1) if TIME_SYNC_IPV4 in line]
    hint = f" (lines mentioning {TIME_SYNC_IPV4}: {', '.join(mentions)})" if mentions else ""
    if HOLE in script:
        return unresolved(f"{where} holds values known only at deploy time and no whole literal line that "
                          f"writes '{CHRONY_TIME_SYNC}' to a chrony configuration file{hint}")
    return non_compliant(f"{where} has no uncommented line that writes '{CHRONY_TIME_SYNC}' to a chrony "
                         f"configuration file (/etc/chrony.conf, /etc/chrony.d/, /etc/chrony/){hint}")


def _written(script: str) -> tuple[int, str] | None:
    """(line number, chrony file) of the first line that writes the Time Sync source to a chrony file:
    an ``echo`` command line or a heredoc body line. Lines holding a deploy-time value, continuing the
    line before, or (for a heredoc body) following a deploy-time value in that body never count."""
    heredocs: list[tuple[str, bool, str | None]] = []  # delimiter, strips tabs, the chrony file it writes
    clean = True
    continued = False
    for number, line in enumerate(script.split("\n"), 1):
        if heredocs:
            delimiter, tabs, file = heredocs[0]
            if (line.lstrip("\t") if tabs else line) == delimiter:
                heredocs.pop(0)
                clean, continued = True, False
            elif HOLE in line:
                clean = False
            elif file and clean and SOURCE_LINE.fullmatch(line):
                return number, file
            continue
        whole = HOLE not in line and not continued
        continued = line.endswith(HOLE) or (len(line) - len(line.rstrip("\\"))) % 2 == 1
        openers = HEREDOC.findall(line)
        if openers:
            opener = CHRONY_HEREDOC.fullmatch(HEREDOC.sub(" ", line)) if whole and len(openers) == 1 else None
            file = opener and (opener["cat"] or opener["tee"])
            heredocs = [(delimiter, dash == "-", file) for dash, _, delimiter in openers]
            clean = True
        elif whole and (echo := ECHO_LINE.fullmatch(line)):
            return number, echo["file"]
    return None


RULE = Rule(
    name="UserDataTimeSync",
    clauses=("12.4.4",),
    resource_types=("AWS::EC2::LaunchTemplate", "AWS::EC2::Instance", "AWS::AutoScaling::LaunchConfiguration"),
    info="The server's user data does not configure chrony for the Amazon Time Sync Service.",
    explanation=(
        f"Clocks are synchronised with the Amazon Time Sync Service: the user data shell script writes "
        f"'{CHRONY_TIME_SYNC}' as a chrony source, on a line of its own, to /etc/chrony.conf or a file under "
        "/etc/chrony.d/ or /etc/chrony/ (ApplicationServers echoes it into /etc/chrony.d/), so the evidence "
        "is in the template. A deploy-time value on that line leaves the rule unresolved."
    ),
    check=user_data_time_sync,
)
