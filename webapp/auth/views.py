from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from services.accounts import signup as signups
from services.accounts import users as accounts
from services.core.errors import ServiceError
from webapp.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ResetRequestForm,
    SetPasswordForm,
    SignUpForm,
    VerifyForm,
)
from webapp.database import db
from webapp.extensions import limiter
from webapp.helpers import context, safe_next
from webapp.refusals import refuse_form, render_form

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _email() -> str:
    return accounts.normalise_email(request.form.get("email", ""))


def _account_key() -> str:
    return "login-account:" + _email()


def _account_address_key() -> str:
    return f"login-account-ip:{_email()}|{request.remote_addr or ''}"


def _failed(response: Response) -> bool:
    return response.status_code != 302  # a successful sign-in redirects


def _limit_account() -> str:
    return current_app.config["LOGIN_LIMIT_ACCOUNT"]


def _limit_account_ip() -> str:
    return current_app.config["LOGIN_LIMIT_ACCOUNT_IP"]


def _limit_ip() -> str:
    return current_app.config["LOGIN_LIMIT_IP"]


# Failed sign-ins only are counted: per account from one address (the burst limit), per
# address (one client trying many accounts) and per account from everywhere (a ceiling set
# above what one address can reach, so a stranger's wrong passwords do not refuse the
# owner's right one from elsewhere). request.remote_addr is the client as ProxyFix sees it.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit_ip, methods=["POST"], deduct_when=_failed, scope="login-ip")
@limiter.limit(
    _limit_account_ip,
    methods=["POST"],
    deduct_when=_failed,
    key_func=_account_address_key,
    scope="login-account-ip",
)
@limiter.limit(
    _limit_account,
    methods=["POST"],
    deduct_when=_failed,
    key_func=_account_key,
    scope="login-account",
)
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(
            db(), context(), form.email.data or "", form.password.data or ""
        )
        if user is not None:
            session.clear()
            login_user(user)
            flash(f"Welcome, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("main.dashboard"))
        # Not refused input but a recorded attempt (audit, lockout counters): 200, so the
        # request's commit keeps the record; empty or overlong fields answer 422.
        flash("Wrong email or password. Check both and try again.", "error")
        form.password.errors = ["Wrong email or password."]
        return render_template("auth/login.html", form=form)
    return render_form("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> BaseResponse:
    accounts.logout(db(), context())
    logout_user()
    session.clear()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def reset_request() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            db(),
            context(),
            form.email.data or "",
        )
        flash("If an account exists for that address, a reset link is on its way.", "success")
        return redirect(url_for("auth.login"))
    return render_form("auth/reset_request.html", form=form)


@bp.route("/token/<token>", methods=["GET", "POST"])
def redeem(token: str) -> ResponseReturnValue:
    try:
        account_token = accounts.peek_token(db(), token)
    except ServiceError as exc:
        return render_template("auth/token_invalid.html", message=exc.message), exc.status
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.redeem_token(db(), context(), token, form.password.data or "")
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            session.clear()
            login_user(user)
            flash("Your password is saved and you are signed in.", "success")
            return redirect(url_for("main.dashboard"))
    return render_form(
        "auth/set_password.html", form=form, purpose=account_token.purpose, user=account_token.user
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                db(),
                context(user),
                form.current_password.data or "",
                form.password.data or "",
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            session.clear()
            login_user(user)  # this browser stays signed in; every other session ends
            flash("Password changed. Other sessions have been signed out.", "success")
            return redirect(url_for("main.dashboard"))
    return render_form("auth/change_password.html", form=form)


def _signup_key() -> str:
    return "signup-account:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_limit_ip, methods=["POST"], scope="signup-ip")
@limiter.limit(_limit_account, methods=["POST"], key_func=_signup_key, scope="signup-account")
def sign_up() -> ResponseReturnValue:
    """Every valid submission gets the same answer, whether the address has an account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            signups.sign_up(
                db(),
                context(),
                current_app.config["SETTINGS"],
                name=form.name.data or "",
                email=form.email.data or "",
                password=form.password.data or "",
            )
        except ServiceError as exc:
            refuse_form(form, exc)
        else:
            return render_template("auth/signup_sent.html", email=form.email.data)
    return render_form("auth/signup.html", form=form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> ResponseReturnValue:
    """The link from the mail shows a button; the POST (CSRF-checked) activates the account,
    so a mail scanner that fetches the link changes nothing."""
    settings = current_app.config["SETTINGS"]
    try:
        pending = signups.check_link(db(), settings, token)
    except ServiceError as exc:
        again = url_for("auth.sign_up")
        return render_template("auth/token_invalid.html", message=exc.message, again=again), (
            exc.status
        )
    form = VerifyForm()
    if form.validate_on_submit():
        user = signups.verify_email(db(), context(), settings, token)
        session.clear()
        login_user(user)
        flash("Your address is confirmed and you are signed in.", "success")
        return redirect(url_for("people.join_start"))
    return render_form("auth/verify.html", form=form, user=pending)
