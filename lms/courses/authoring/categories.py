"""Catalogue areas: the five of the mission come preloaded; BKPSDM can add more."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lms.courses import bp, queries, services
from lms.extensions import db
from lms.forms import AppForm
from lms.permissions import Capability, require


class CategoryForm(AppForm):
    name = StringField(
        _l("Nama bidang baru"),
        validators=[
            DataRequired(_l("Nama bidang wajib diisi.")),
            Length(min=3, max=100, message=_l("Nama bidang 3 sampai 100 karakter.")),
        ],
    )


@bp.route("/kelola/kategori", methods=["GET", "POST"])
@require(Capability.PUBLISH_COURSES)
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        name = " ".join(form.name.data.split())
        if services.category_named(name, create=False) is not None:
            form.name.errors.append(_("Bidang %(n)s sudah ada.", n=name))
        else:
            services.category_named(name)
            db.session.commit()
            flash(_("Bidang %(n)s ditambahkan.", n=name), "success")
            return redirect(url_for("courses.categories"))
    rows = queries.categories_with_counts()
    return render_template("courses/authoring/categories.html", form=form, rows=rows)
