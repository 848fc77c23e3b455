"""Hub administrators writing courses: details, modules, knowledge-check questions, images."""

from decimal import Decimal

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnhub.audit import Action, audit
from learnhub.courses import images, services
from learnhub.courses.access import get_admin_course, get_admin_question, get_image_course, get_module
from learnhub.courses.forms import LONDON, ButtonForm, CourseForm, ImageForm, ModuleForm, QuestionForm, parse_options
from learnhub.courses.models import Course
from learnhub.courses.views import bp
from learnhub.extensions import db
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.security import hub_admin_required
from learnhub.storage import image_store


@bp.get("/hub/courses")
@hub_admin_required
def admin_courses():  # type: ignore[no-untyped-def]
    """The hub's courses."""
    courses = db.session.scalars(
        select(Course).where(Course.hub_id == current_user.hub_id).order_by(Course.title).options(selectinload(Course.cohorts))
    ).all()
    return render_template("courses/admin/courses.html", courses=courses)


def _course_fields(form: CourseForm) -> dict[str, object]:
    return {
        "title": form.title.data,
        "summary": form.summary.data or "",
        "audience": [code for code in (form.audience.data or []) if code in PROFESSIONAL_ROLES],
        "cpd_hours": Decimal(form.cpd_hours.data).quantize(Decimal("0.1")),
        "learning_outcomes": form.learning_outcomes.data or "",
        "published": bool(form.published.data),
        "requires_pre_survey": bool(form.requires_pre_survey.data),
        "requires_post_survey": bool(form.requires_post_survey.data),
    }


@bp.route("/hub/courses/new", methods=["GET", "POST"])
@hub_admin_required
def new_course():  # type: ignore[no-untyped-def]
    """Create a course."""
    form = CourseForm()
    if form.validate_on_submit():
        course = services.create_course(current_user, current_user.hub_id, **_course_fields(form))
        flash(f"{course.title} has been created. Now add its modules.", "success")
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/course_form.html", form=form, course=None), 400 if form.errors else 200


@bp.route("/hub/courses/<int:course_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_course(course_id: int):  # type: ignore[no-untyped-def]
    """Change a course's details, publish or unpublish it."""
    course = get_admin_course(course_id)
    form = CourseForm(obj=course)
    if form.validate_on_submit():
        services.update_course(current_user, course, **_course_fields(form))
        flash(f"{course.title} has been saved.", "success")
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/course_form.html", form=form, course=course), 400 if form.errors else 200


@bp.get("/hub/courses/<int:course_id>")
@hub_admin_required
def admin_course(course_id: int):  # type: ignore[no-untyped-def]
    """A course's modules and cohorts, for its administrators."""
    course = get_admin_course(course_id, questions=True)
    return render_template("courses/admin/course.html", course=course, form=ButtonForm(), roles=PROFESSIONAL_ROLES)


@bp.get("/hub/courses/<int:course_id>/modules/<int:module_id>/preview")
@hub_admin_required
def preview_module(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """A module as learners will see it, for its authors, even while the course is a draft."""
    course = get_admin_course(course_id, questions=True)
    module = get_module(course, module_id)
    return render_template("courses/admin/preview.html", course=course, module=module)


@bp.route("/hub/courses/<int:course_id>/modules/new", methods=["GET", "POST"])
@hub_admin_required
def new_module(course_id: int):  # type: ignore[no-untyped-def]
    """Add a module to a course."""
    course = get_admin_course(course_id)
    form = ModuleForm()
    if form.validate_on_submit():
        module = services.add_module(current_user, course, **form.model_fields())
        flash(f"{module.title} has been added.", "success")
        if module.is_check:
            return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/module_form.html", form=form, course=course, module=None), 400 if form.errors else 200


@bp.route("/hub/courses/<int:course_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_module(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Change a module (including unpublishing it)."""
    course = get_admin_course(course_id)
    module = get_module(course, module_id)
    form = ModuleForm(obj=module)
    if request.method == "GET" and module.starts_at:
        form.starts_at.data = module.starts_at.astimezone(LONDON).replace(tzinfo=None)
    if form.validate_on_submit():
        completed = services.update_module(current_user, module, **form.model_fields())
        message = f"{module.title} has been saved."
        if completed:
            message += f" {completed} learners have now completed the course."
        flash(message, "success")
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/module_form.html", form=form, course=course, module=module), 400 if form.errors else 200


@bp.post("/hub/courses/<int:course_id>/modules/<int:module_id>/move/<any(up, down):direction>")
@hub_admin_required
def move_module(course_id: int, module_id: int, direction: str):  # type: ignore[no-untyped-def]
    """Move a module up or down."""
    course = get_admin_course(course_id)
    module = get_module(course, module_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.move_module(current_user, module, -1 if direction == "up" else 1)
    return redirect(url_for("courses.admin_course", course_id=course.id) + f"#module-{module.id}")


@bp.route("/hub/courses/<int:course_id>/modules/<int:module_id>/questions", methods=["GET", "POST"])
@hub_admin_required
def admin_questions(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """A knowledge check's questions; add one."""
    course = get_admin_course(course_id, questions=True)
    module = get_module(course, module_id)
    if not module.is_check:
        abort(404)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(
                current_user,
                module,
                text=form.text.data,
                kind=form.kind.data,
                explanation=form.explanation.data or "",
                options=parse_options(form.options.data),
            )
        except services.CourseError as error:
            form.options.errors.append(str(error))
        else:
            flash("The question has been added.", "success")
            return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))
    return (
        render_template("courses/admin/questions.html", course=course, module=module, form=form, action_form=ButtonForm()),
        400 if form.errors else 200,
    )


@bp.route("/hub/courses/<int:course_id>/modules/<int:module_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_question(course_id: int, module_id: int, question_id: int):  # type: ignore[no-untyped-def]
    """Change a question (its options only until learners have answered it)."""
    course, module, question = get_admin_question(course_id, module_id, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.options.data = "\n".join(("* " if o.correct else "") + o.text for o in question.options)
    if form.validate_on_submit():
        try:
            services.update_question(
                current_user,
                question,
                text=form.text.data,
                kind=form.kind.data,
                explanation=form.explanation.data or "",
                options=parse_options(form.options.data),
            )
        except services.CourseError as error:
            form.options.errors.append(str(error))
        else:
            flash("The question has been saved.", "success")
            return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))
    return (
        render_template("courses/admin/question_form.html", course=course, module=module, question=question, form=form),
        400 if form.errors else 200,
    )


@bp.post("/hub/courses/<int:course_id>/modules/<int:module_id>/questions/<int:question_id>/delete")
@hub_admin_required
def delete_question(course_id: int, module_id: int, question_id: int):  # type: ignore[no-untyped-def]
    """Remove a question."""
    course, module, question = get_admin_question(course_id, module_id, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if services.delete_question(current_user, question):
        flash("The question has been removed.", "success")
    else:
        flash(
            "Learners have answered this question, so it has been retired rather than deleted: their past "
            "answers and the reports keep it, but it will not be asked in new attempts.",
            "success",
        )
    return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))


@bp.post("/hub/courses/<int:course_id>/modules/<int:module_id>/questions/<int:question_id>/restore")
@hub_admin_required
def restore_question(course_id: int, module_id: int, question_id: int):  # type: ignore[no-untyped-def]
    """Ask a retired question again in new attempts."""
    course, module, question = get_admin_question(course_id, module_id, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.set_question_retired(current_user, question, False)
    flash("The question will be asked again in new attempts.", "success")
    return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))


# --- images for module content ----------------------------------------------------------------------


#: Images never change once stored (a new upload gets a new name), so browsers may keep them a
#: day and then revalidate with If-None-Match; "private" because only the hub's members may see them.
IMAGE_CACHE_CONTROL = "private, max-age=86400"


@bp.route("/hub/courses/<int:course_id>/images", methods=["GET", "POST"])
@hub_admin_required
def course_images(course_id: int):  # type: ignore[no-untyped-def]
    """Upload images for a course's modules and see the Markdown to use them."""
    course = get_admin_course(course_id)
    form = ImageForm()
    if form.validate_on_submit():
        limit = int(current_app.config.get("COURSE_IMAGE_MAX_BYTES", images.MAX_IMAGE_BYTES))
        data = form.image.data.read(limit + 1)
        try:
            name = images.store_image(image_store(), course.id, data, limit)
        except images.ImageProblem as problem:
            form.image.errors.append(str(problem))
        else:
            audit(current_user, Action.COURSE_IMAGE_UPLOADED, course=course.id, image=name)
            flash("The image has been uploaded. Copy its Markdown into a module.", "success")
            return redirect(url_for("courses.course_images", course_id=course.id))
    names = image_store().names(course.id)
    return (
        render_template("courses/admin/images.html", course=course, form=form, names=names),
        400 if form.errors else 200,
    )


@bp.get("/courses/<int:course_id>/images/<name>")
@login_required
def course_image(course_id: int, name: str):  # type: ignore[no-untyped-def]
    """An image of a course, for members of the course's hub."""
    course = get_image_course(course_id)
    if not images.safe_image_name(name):
        abort(404)
    store = image_store()
    etag = store.etag(course.id, name)
    if etag is None:
        abort(404)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        stored = store.get(course.id, name)
        if stored is None:  # deleted between the two reads
            abort(404)
        response = Response(stored.data, mimetype=stored.content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = IMAGE_CACHE_CONTROL
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
