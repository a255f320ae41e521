from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from models.organisations import PARTNER_TYPES, SECTOR_LABELS
from webapp.fields import SelectField


class OrganisationForm(FlaskForm):
    legal_name = StringField("Legal name", validators=[DataRequired(), Length(max=300)])
    short_name = StringField("Short name", validators=[Optional(), Length(max=120)])
    pic = StringField(
        "PIC", validators=[Optional(), Length(max=20)], description="EU Participant ID Code."
    )
    country = StringField(
        "Country", validators=[DataRequired(), Length(max=3)], description="ISO code, e.g. DE."
    )
    city = StringField("City", validators=[Optional(), Length(max=120)])
    sector = SelectField("Sector", choices=[SelectChoice(k, v) for k, v in SECTOR_LABELS.items()])
    is_sme = BooleanField("SME")
    is_efpia_member = BooleanField("EFPIA member")
    partner_type = SelectField(
        "Partner type",
        choices=[SelectChoice("", "None")]
        + [SelectChoice(t, t.capitalize()) for t in PARTNER_TYPES],
    )
    description = TextAreaField("Description", validators=[Length(max=20000)])
    keywords = TextAreaField(
        "Expertise keywords", validators=[Length(max=5000)], description="Comma separated."
    )
    submit = SubmitField("Save")


class ImportForm(FlaskForm):
    projects = FileField(
        "CORDIS download or projects file",
        validators=[FileRequired("Choose the CORDIS zip or its projects file.")],
        description="The official zip (cordis-HORIZONprojects-csv.zip, cordis-h2020projects-"
        "csv.zip, cordis-fp7projects-csv.zip), or project.csv / project.csv.gz.",
    )
    organisations = FileField(
        "Organisations file",
        description="organization.csv or organization.csv.gz; leave empty for a zip that "
        "holds both.",
    )
    submit = SubmitField("Upload and import")


class MergeForm(FlaskForm):
    keep_id = HiddenField(validators=[DataRequired()])
    drop_id = HiddenField(validators=[DataRequired()])
    submit = SubmitField("Merge")


class LineageForm(FlaskForm):
    lineage = TextAreaField(
        "Calls and legal bases of the lineage",
        validators=[Length(max=4000)],
        description="One per line: call-identifier prefixes (HORIZON-JU-IHI, H2020-JTI-IMI2, "
        "IMI) or legal-basis codes (H2020-EU.3.1.7). A CORDIS project is in the lineage when "
        "its call, topic or a legal basis starts with one of them.",
    )
    submit = SubmitField("Save lineage")
