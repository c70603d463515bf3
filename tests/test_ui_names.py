"""No class of the UI redefines a name its Textual bases define, except the hooks Textual documents
for subclasses (compose, on_*, action_*, watch_*, BINDINGS, CSS, render, ...). A screen's worker
called `remove` replaced Widget.remove, which Textual awaits when it closes the screen: F3 then Esc
ended the app with a traceback (issue 21). Attributes set on `self` count too, unless Textual's
attribute is a property or reactive made to be set (`self.value = ...`)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap

import qa.ui

#: names Textual documents as meant to be defined by a subclass
HOOKS = frozenset({
    "compose", "render", "render_line", "render_lines", "get_content_width", "get_content_height",
    "get_default_screen", "BINDINGS", "CSS", "CSS_PATH", "DEFAULT_CSS", "COMPONENT_CLASSES", "TITLE", "SUB_TITLE",
    "COMMANDS", "SCREENS", "MODES", "AUTO_FOCUS", "ENABLE_COMMAND_PALETTE", "HELP", "ALLOW_SELECT",
    # class keywords (class Card(Widget, can_focus=True))
    "can_focus", "can_focus_children", "inherit_css", "inherit_bindings", "inherit_component_classes",
    # Provider (command palette) and Suggester hooks
    "startup", "search", "discover", "shutdown", "get_suggestion",
    # Input: "override this method if you want to disable the bell or do something else"
    "restricted",
    # App: the palette's Screenshot calls it; overridden on purpose (the folder chosen, then super())
    "deliver_screenshot",
    # App: overridden on purpose (a notification already on screen is not shown again, then super())
    "notify",
})
HOOK_PREFIXES = ("on_", "action_", "watch_", "validate_", "compute_", "key_")


def _textual(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "textual"


def ui_classes() -> list[type]:
    """Every class defined in qa/ui (nested ones too: Messages) with a Textual class among its bases."""
    found: dict[str, type] = {}
    for info in pkgutil.iter_modules(qa.ui.__path__):
        module = importlib.import_module(f"qa.ui.{info.name}")
        todo = [c for c in vars(module).values() if inspect.isclass(c) and c.__module__ == module.__name__]
        while todo:
            cls = todo.pop()
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
            todo += [c for c in vars(cls).values() if inspect.isclass(c) and c.__module__ == module.__name__]
    return [c for c in found.values() if any(_textual(base) for base in c.__mro__[1:])]


def _self_assigned(cls: type) -> set[str]:
    """Names a class's own methods assign on self (self.x = ...)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    return {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name) and node.value.id == "self"}


def _settable(name: str, bases: list[type]) -> bool:
    """Textual's attribute is a data descriptor (a property with a setter, a reactive): setting it is use."""
    for base in bases:
        if name in vars(base):
            return hasattr(vars(base)[name], "__set__")
    return False


def clashes(cls: type) -> list[str]:
    bases = [b for b in cls.__mro__[1:] if _textual(b)]
    textual_names = set().union(*(dir(b) for b in bases))
    # what Textual's metaclass and __init_subclass__ put into every subclass
    automatic = set(vars(type("Probe", (cls.__mro__[1],), {})))
    defined = (set(vars(cls)) - automatic) | {n for n in _self_assigned(cls) if not _settable(n, bases)}
    return sorted(name for name in defined & textual_names
                  if not (name.startswith("__") or name in HOOKS or name.startswith(HOOK_PREFIXES)))


def test_the_guard_sees_every_ui_class_and_catches_a_clash():
    names = {c.__qualname__ for c in ui_classes()}
    assert {"QAApp", "ChatScreen", "SourcesScreen", "ConfirmScreen", "HitCard", "HistoryInput", "QACommands",
            "IndexLoaded", "SourcesScreen.Loaded"} <= names

    from textual.widget import Widget

    class Broken(Widget):
        def remove(self) -> None:  # what the Sources screen did
            pass

        def refresh_list(self) -> None:
            self.styles = None  # settable: fine
            self.refresh = None  # a method replaced

    assert clashes(Broken) == ["refresh", "remove"]


def test_no_ui_class_redefines_a_textual_name():
    found = {f"{c.__module__}.{c.__qualname__}": clashes(c) for c in ui_classes()}
    assert {name: names for name, names in found.items() if names} == {}
