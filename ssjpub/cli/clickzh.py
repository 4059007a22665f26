"""Click's own messages (usage errors, help headings) in Chinese.

Click marks its messages for gettext (each module does ``from gettext import gettext as _``) and
looks them up in the process's locale, so a mistyped option was answered in English. Shipping a
compiled catalogue would still depend on the staff member's locale; instead ``install`` points the
names ``_`` and ``ngettext`` of Click's modules at this table. It must run before the commands are
defined (``version_option`` translates its help when applied). A message missing here stays Click's
English; tests/test_cli.py checks that every key is still one of Click's messages and that every
message a user can meet is here.
"""

from __future__ import annotations

import importlib
import re
import unicodedata

from click._compat import strip_ansi
from click import _textwrap as click_textwrap
from click import exceptions as click_exceptions
from click import formatting

MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
           "click.termui", "click.types")

MESSAGES = {
    # help
    "Usage:": "用法:",  # Click follows it with a space, and section titles with ":"
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（随情况而定）",
    "deprecated": "已停用",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "提醒：命令 {name!r} 已停用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "提醒：{param_type} {name!r} 已停用。{extra_message}",
    # usage errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看用法。",
    "Aborted!": "已取消。",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有 {name!r} 这个选项。",
    "No such command {name!r}.": "没有 {name!r} 这个命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少 {param_type}",
    "unknown error": "未知错误",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Invalid value: {message}": "值不对：{message}",
    "Value must be an iterable.": "这里要写一组值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不要写值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要写 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的第一个字符不对（{option}）",
    # values
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "Choose from:\n\t{choices}": "可选的值：\n\t{choices}",
    "{value} is not in the range {range}.": "{value} 不在 {range} 的范围内。",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} 不是是否值。可以写：{states}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是{number_type}。",
    "{value!r} is not a valid UUID.": "{value!r} 不是 UUID。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是一个文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是一个目录。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不能读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不能写入。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不能执行。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    # prompts
    "Do you want to continue?": "要继续吗？",
    "Confirm the action without prompting.": "不再询问，直接确认。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的不一样。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
}

# Chinese has one form where English has a singular and a plural.
PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        "多余的参数（{args}）",
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        "要写 {nargs} 个值，实际写了 {len} 个。",
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        "（是不是要写 {possibilities}？）",
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        "选项 {name!r} 后面要写 {nargs} 个值。",
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        "{value!r} 不是可选的值（{choices}）。",
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."):
        "{value!r} 不符合格式 {formats}。",
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        "要写 {len_type} 个值，实际写了 {len_value} 个。",
}


# Click names a value's type in usage errors ("not a valid {number_type}") and, upper-cased, as the
# metavar of an option without one (`--jobs INTEGER RANGE`); Chinese has no case, so the names are
# the metavars as shown. Click's class name -> the name it gets.
TYPE_NAMES = {
    "StringParamType": "文本",
    "UnprocessedParamType": "文本",
    "IntParamType": "整数",
    "IntRange": "整数",
    "FloatParamType": "数",
    "FloatRange": "数",
    "BoolParamType": "是或否",
    "UUIDParameterType": "UUID",
    "File": "文件名",
    "DateTime": "日期时间",
}

# The usage line's placeholders, set on every command by ssjpub.cli.main's group.
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return PLURALS.get((singular, plural)) or (singular if n == 1 else plural)


def display_width(text: str) -> int:
    """Terminal columns: a Chinese character takes two. Click counts characters, which pushed the
    help of an option with a Chinese metavar (`--root 目录`) out of its column."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in strip_ansi(text))


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


# Chinese punctuation that may not begin a line, and that may not end one.
_NO_START = set("，。、；：？！）》」』”’…")
_NO_END = set("（《「『“‘")


def _pieces(chunk: str) -> list[str]:
    """Splits one of textwrap's chunks so a line may break between any two Chinese characters (they
    have no spaces between words), but never inside an ASCII run (a path, an option, a date) and
    never before a closing or after an opening punctuation mark."""
    out: list[str] = []
    for char in chunk:
        joins = bool(out) and (char in _NO_START or out[-1][-1] in _NO_END
                               or not (_wide(char) or _wide(out[-1][-1])))
        if joins:
            out[-1] += char
        else:
            out.append(char)
    return out


def _join_wrapped_lines(text: str) -> str:
    """A paragraph's source lines, joined where a line break falls between Chinese characters:
    Click joins them with a space, which in Chinese is a visible gap. `\\b` blocks stay as written."""
    lines = text.splitlines()
    out: list[str] = []
    raw = False
    for line in lines:
        if not line.strip():
            raw = False
        elif line.strip() == "\b":
            raw = True
        elif (not raw and out and out[-1].strip() and out[-1].strip() != "\b"
              and _wide(out[-1][-1]) and _wide(line.lstrip()[0])):
            out[-1] += line.lstrip()
            continue
        out.append(line)
    return "\n".join(out)


class _Wrapper(click_textwrap.TextWrapper):
    def __init__(self, *args, **kwargs) -> None:
        kwargs["break_on_hyphens"] = False  # YYYY-MM-DD and option names stay whole
        super().__init__(*args, **kwargs)

    def _split(self, text: str) -> list[str]:
        return [piece for chunk in super()._split(text) for piece in _pieces(chunk)]


_CLICK_WRAP = formatting.wrap_text  # kept at import, so install() can run more than once


def _wrap_text(text: str, *args, **kwargs) -> str:
    return _CLICK_WRAP(_join_wrapped_lines(text), *args, **kwargs)


_CLICK_MISSING = click_exceptions.MissingParameter.format_message  # kept at import, as _CLICK_WRAP


def _missing_message(self) -> str:
    """Click puts an English full stop after the name: "缺少参数 '表格文件'."."""
    return re.sub(r"^(缺少[^.]*)\.", r"\1。", _CLICK_MISSING(self))


def short_help(help: str, max_length: int = 45) -> str:
    """A command's line in the list of commands: its help's first sentence (to the first 。), cut
    to `max_length` columns at a Chinese comma or semicolon if it must be, else at the width.
    Click's looks for an English full stop and counts characters, so the whole paragraph spilled
    over two lines."""
    lines = help.partition("\n\n")[0].strip().removeprefix("\b").strip()
    text = " ".join(_join_wrapped_lines("\n".join(line.strip() for line in lines.splitlines())).split())
    text = text.partition("。")[0] + ("。" if "。" in text else "")
    if display_width(text) <= max_length:
        return text
    room = max_length - 2  # for the ellipsis
    fits = [i for i in range(1, len(text)) if display_width(text[:i]) <= room]
    # Break after a comma if that keeps half the line, else between two characters where a line
    # may break (never inside a path or an option).
    commas = [i for i in fits if text[i - 1] in "，；："]
    whole = [i for i in fits if _wide(text[i - 1]) or _wide(text[i]) or text[i] == " "]
    cut = commas[-1] if commas and display_width(text[:commas[-1]]) * 2 >= room else \
        (whole[-1] if whole else len(fits))
    return text[:cut].rstrip("，；：、 ") + "……"


def install() -> None:
    for name in MODULES:
        module = importlib.import_module(name)
        module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    formatting.term_len = click_textwrap.term_len = display_width
    click_textwrap.TextWrapper = _Wrapper  # wrap_text imports it when called
    formatting.wrap_text = _wrap_text
    importlib.import_module("click.core")._make_default_short_help = short_help
    click_exceptions.MissingParameter.format_message = _missing_message
    types = importlib.import_module("click.types")
    for cls, name in TYPE_NAMES.items():
        getattr(types, cls).name = name
