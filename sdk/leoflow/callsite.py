"""Finds the user's file and line behind a call into the SDK.

Used for task line numbers and for the location in error messages.
"""
import os
import sys

SDK_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

# The file being parsed or run; its frames win when a task's line is recorded.
main_file = None


def _is_user_frame(frame):
    filename = frame.f_code.co_filename
    return not filename.startswith(SDK_ROOT) and not filename.startswith("<")


def user_frame():
    """Innermost frame of user code on the current stack, or None."""
    frame = sys._getframe(1)
    while frame is not None and not _is_user_frame(frame):
        frame = frame.f_back
    return frame


def user_location():
    """`file.py:LINE` of the innermost user frame (`?` when there is none)."""
    frame = user_frame()
    if frame is None:
        return "?"
    return f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"


def definition_line():
    """Line in the main DAG file that is running now (else the innermost user line)."""
    frame = sys._getframe(1)
    first_user = None
    while frame is not None:
        if _is_user_frame(frame):
            if frame.f_code.co_filename == main_file:
                return frame.f_lineno
            if first_user is None:
                first_user = frame
        frame = frame.f_back
    return first_user.f_lineno if first_user is not None else 0
