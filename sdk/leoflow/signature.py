"""A callable's parameters as inspect.signature(...).parameters lists them, read from the code object
for plain functions and methods (no `inspect` import, which costs more than a whole task try's
other imports); any other callable goes through inspect."""
from types import FunctionType, MethodType

POSITIONAL_ONLY = "POSITIONAL_ONLY"
POSITIONAL_OR_KEYWORD = "POSITIONAL_OR_KEYWORD"
VAR_POSITIONAL = "VAR_POSITIONAL"
KEYWORD_ONLY = "KEYWORD_ONLY"
VAR_KEYWORD = "VAR_KEYWORD"

_VARARGS = 0x04
_VARKEYWORDS = 0x08


def _from_code(code):
    names = code.co_varnames
    positional = code.co_argcount
    keyword_only = code.co_kwonlyargcount
    found = [(name, POSITIONAL_ONLY if index < code.co_posonlyargcount else POSITIONAL_OR_KEYWORD)
             for index, name in enumerate(names[:positional])]
    # co_varnames holds keyword-only names before *args; a signature lists *args first.
    extra = positional + keyword_only
    if code.co_flags & _VARARGS:
        found.append((names[extra], VAR_POSITIONAL))
        extra += 1
    found.extend((name, KEYWORD_ONLY) for name in names[positional:positional + keyword_only])
    if code.co_flags & _VARKEYWORDS:
        found.append((names[extra], VAR_KEYWORD))
    return found


def parameters(function):
    """[(name, kind)] in signature order; kind is the name of inspect.Parameter's kind."""
    target = function.__func__ if type(function) is MethodType else function
    bound = target is not function
    if type(target) is FunctionType and not hasattr(target, "__wrapped__") and not hasattr(target, "__signature__"):
        code = target.__code__
        if not bound:
            return _from_code(code)
        if code.co_argcount:
            return _from_code(code)[1:]
    import inspect
    return [(name, parameter.kind.name) for name, parameter in inspect.signature(function).parameters.items()]
