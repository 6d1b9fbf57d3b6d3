"""Static prefilter: the eventName / eventSource values a rule can ever match.

Reads the leading statements of `rule(event)` and keeps only what it can
prove. Recognized shapes:

- guards `if <cond>: return False` (also `elif` chains, `return None`),
  after which `<cond>` is known to be false;
- a final `return <expr>`, for which `<expr>` must be true to match;
- conditions `F == "x"`, `F != "x"`, `F in C`, `F not in C`, combined with
  `not`, `and` (or `or` in a guard, which means every part is false);
- fields `F`: `event.get("eventName"[, const])`, `event["eventName"]`,
  `event.deep_get("eventName"[, default=const])`, or a local name assigned
  one of those;
- collections `C`: literal sets/lists/tuples of strings, `set(...)` /
  `frozenset(...)` / `tuple(...)` / `list(...)` of such a literal, or a
  module-level name bound once to one of them (a mutable set or list only
  when the module uses it for nothing but membership tests).

Scanning stops at the first statement it does not understand; guards seen
before it still hold, because every call of `rule` passes through them.
Anything unproven leaves a field unconstrained (None).
"""

import ast
from collections import Counter

FIELDS = ("eventName", "eventSource")
NO_PREFILTER = {field: None for field in FIELDS}
_COLLECTION_BUILTINS = {"set": True, "list": True, "frozenset": False, "tuple": False}


def static_prefilter(source: str) -> dict:
    """`{"eventName": [...] | None, "eventSource": [...] | None}` for a rule's source code."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return dict(NO_PREFILTER)
    facts = _ModuleFacts(tree)
    function = facts.rule_function()
    if function is None:
        return dict(NO_PREFILTER)
    positional = function.args.posonlyargs + function.args.args
    if not positional:
        return dict(NO_PREFILTER)
    for node in ast.walk(function):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return dict(NO_PREFILTER)
    constraints = _RuleGuards(function, positional[0].arg, facts).run()
    return {
        field: sorted(constraints[field]) if field in constraints else None for field in FIELDS
    }


def _merge(constraints: dict, more: dict) -> None:
    for field, values in more.items():
        constraints[field] = constraints[field] & values if field in constraints else values


def _module_scope(node):
    """Nodes evaluated in module scope (function and class bodies excluded, their defs included)."""
    for child in ast.iter_child_nodes(node):
        yield child
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            yield from _module_scope(child)


def _bound_names(node):
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*"]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


class _ModuleFacts:
    """What the module does with its names: bindings, global declarations, uses."""

    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.bindings = Counter()
        self.binding_lines = {}
        self.star_import_lines = []
        for node in _module_scope(tree):
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                self.star_import_lines.append(node.lineno)
            for name in _bound_names(node):
                self.bindings[name] += 1
                self.binding_lines[name] = getattr(node, "lineno", 0)
        self.declared_global = set()
        membership_operands = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                self.declared_global.update(node.names)
            elif isinstance(node, ast.Compare):
                for op, operand in zip(node.ops, node.comparators):
                    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(operand, ast.Name):
                        membership_operands.add(id(operand))
        self.other_uses = {
            node.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and id(node) not in membership_operands
        }

    def _bound_once(self, name: str) -> bool:
        if self.bindings[name] != 1 or name in self.declared_global:
            return False
        line = self.binding_lines.get(name, 0)
        return not any(star >= line for star in self.star_import_lines)

    def rule_function(self):
        """The module's `def rule`, when nothing else can rebind the name."""
        if not self._bound_once("rule"):
            return None
        for statement in self.tree.body:
            if isinstance(statement, ast.FunctionDef) and statement.name == "rule":
                return None if statement.decorator_list else statement
        return None

    def builtin_unshadowed(self, name: str) -> bool:
        return self.bindings[name] == 0 and name not in self.declared_global

    def constant(self, name: str):
        """The strings of a module-level constant collection `name`, or None."""
        if not self._bound_once(name):
            return None
        for statement in self.tree.body:
            if isinstance(statement, ast.Assign):
                targets = statement.targets
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets = [statement.target]
            else:
                continue
            if len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == name:
                found = self.literal_collection(statement.value)
                if found is None:
                    return None
                values, mutable = found
                if mutable and name in self.other_uses:
                    return None
                return values
        return None

    def literal_collection(self, node):
        """(strings, mutable) for a literal collection of strings, or None."""
        mutable = isinstance(node, (ast.Set, ast.List))
        if isinstance(node, ast.Call):
            func = node.func
            if (
                not isinstance(func, ast.Name)
                or func.id not in _COLLECTION_BUILTINS
                or not self.builtin_unshadowed(func.id)
                or len(node.args) != 1
                or node.keywords
            ):
                return None
            mutable = _COLLECTION_BUILTINS[func.id]
            node = node.args[0]
        if not isinstance(node, (ast.Set, ast.List, ast.Tuple)):
            return None
        values = []
        for element in node.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                return None
            values.append(element.value)
        return frozenset(values), mutable


class _RuleGuards:
    """Walks the leading statements of `rule` and collects proven constraints."""

    def __init__(self, function: ast.FunctionDef, param: str, facts: _ModuleFacts):
        self.function = function
        self.param = param
        self.facts = facts
        self.aliases = {}
        self.locals = {
            node.id
            for node in ast.walk(function)
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del))
        }
        arguments = function.args
        for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs:
            self.locals.add(arg.arg)
        for arg in (arguments.vararg, arguments.kwarg):
            if arg is not None:
                self.locals.add(arg.arg)

    def run(self) -> dict:
        constraints = {}
        for index, statement in enumerate(self.function.body):
            if index == 0 and _is_docstring(statement):
                continue
            if any(isinstance(node, ast.NamedExpr) for node in ast.walk(statement)):
                break
            if isinstance(statement, ast.Return):
                if statement.value is not None:
                    _merge(constraints, self.derive(statement.value, True))
                break
            if isinstance(statement, ast.If):
                conditions = _guard_conditions(statement)
                if conditions is None:
                    break
                for condition in conditions:
                    _merge(constraints, self.derive(condition, False))
                continue
            if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                if not self.track_assignment(statement):
                    break
                continue
            if isinstance(statement, (ast.Expr, ast.Pass)):
                continue
            break
        return constraints

    def track_assignment(self, statement) -> bool:
        """Record a local alias of a field; False when the statement could rebind the event."""
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if not all(isinstance(t, ast.Name) for t in targets):
            return False
        if any(t.id == self.param for t in targets):
            return False
        field = None
        if not isinstance(statement, ast.AugAssign) and statement.value is not None and len(targets) == 1:
            field = self.field_of(statement.value)
        for target in targets:
            self.aliases.pop(target.id, None)
        if field is not None:
            self.aliases[targets[0].id] = field
        return True

    def derive(self, expr, truthy: bool) -> dict:
        """Constraints that hold whenever `expr` evaluates truthy (or falsy when `truthy` is False)."""
        if isinstance(expr, ast.BoolOp):
            conjunction = isinstance(expr.op, ast.And) == truthy
            if not conjunction:
                return {}
            result = {}
            for value in expr.values:
                _merge(result, self.derive(value, truthy))
            return result
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
            return self.derive(expr.operand, not truthy)
        if not isinstance(expr, ast.Compare) or len(expr.ops) != 1:
            return {}
        op = expr.ops[0]
        left, right = expr.left, expr.comparators[0]
        field = values = None
        if (isinstance(op, ast.Eq) and truthy) or (isinstance(op, ast.NotEq) and not truthy):
            field, values = self.field_of(left), _string_constant(right)
            if field is None:
                field, values = self.field_of(right), _string_constant(left)
        elif (isinstance(op, ast.In) and truthy) or (isinstance(op, ast.NotIn) and not truthy):
            field, values = self.field_of(left), self.collection(right)
        if field is None or values is None:
            return {}
        name, default = field
        if isinstance(default, str) and default in values:
            return {}
        return {name: values}

    def field_of(self, node):
        """(field, default) when `node` reads eventName/eventSource from the event, else None."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Subscript):
            if _is_name(node.value, self.param) and _field_constant(node.slice):
                return node.slice.value, None
            return None
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return None
        if not _is_name(node.func.value, self.param):
            return None
        method, args, keywords = node.func.attr, node.args, node.keywords
        if any(isinstance(a, ast.Starred) for a in args) or any(k.arg is None for k in keywords):
            return None
        if not args or not _field_constant(args[0]):
            return None
        default_nodes = list(args[1:]) + [k.value for k in keywords if k.arg == "default"]
        if len(default_nodes) != len(args) - 1 + len(keywords) or len(default_nodes) > 1:
            return None
        if method == "get":
            pass
        elif method == "deep_get":
            if len(args) != 1:
                return None
        else:
            return None
        if default_nodes and not isinstance(default_nodes[0], ast.Constant):
            return None
        default = default_nodes[0].value if default_nodes else None
        return args[0].value, default

    def collection(self, node):
        if isinstance(node, ast.Name):
            if node.id in self.locals:
                return None
            return self.facts.constant(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.locals:
            return None
        found = self.facts.literal_collection(node)
        return found[0] if found else None


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _is_name(node, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _field_constant(node) -> bool:
    return isinstance(node, ast.Constant) and node.value in FIELDS


def _string_constant(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return frozenset([node.value])
    return None


def _returns_non_true(statement) -> bool:
    if not isinstance(statement, ast.Return):
        return False
    value = statement.value
    return value is None or (isinstance(value, ast.Constant) and value.value is not True)


def _guard_conditions(statement: ast.If):
    """Conditions of `if A: return False [elif B: return False ...]`, or None for other shapes."""
    conditions = []
    node = statement
    while True:
        if len(node.body) != 1 or not _returns_non_true(node.body[0]):
            return None
        conditions.append(node.test)
        if not node.orelse:
            return conditions
        if len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If):
            node = node.orelse[0]
            continue
        return None
