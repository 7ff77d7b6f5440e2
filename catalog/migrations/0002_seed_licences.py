from django.db import migrations

# (spdx_id, name, url, use_class, attribution, share_alike, copyleft_scope, derivatives, restrictions, conditions)
LICENCES = [
    ("CC0-1.0", "Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/",
     "commercial", False, False, "none", True, "", {}),
    ("CC-BY-4.0", "Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/",
     "commercial", True, False, "none", True, "", {}),
    ("CC-BY-SA-4.0", "Creative Commons Attribution Share Alike 4.0",
     "https://creativecommons.org/licenses/by-sa/4.0/", "commercial", True, True, "same_licence", True, "", {}),
    ("CC-BY-NC-4.0", "Creative Commons Attribution Non Commercial 4.0",
     "https://creativecommons.org/licenses/by-nc/4.0/", "non_commercial", True, False, "none", True, "", {}),
    ("CC-BY-NC-SA-4.0", "Creative Commons Attribution Non Commercial Share Alike 4.0",
     "https://creativecommons.org/licenses/by-nc-sa/4.0/", "non_commercial", True, True, "same_licence", True, "",
     {}),
    ("CC-BY-ND-4.0", "Creative Commons Attribution No Derivatives 4.0",
     "https://creativecommons.org/licenses/by-nd/4.0/", "commercial", True, False, "none", False, "", {}),
    ("CC-BY-NC-ND-4.0", "Creative Commons Attribution Non Commercial No Derivatives 4.0",
     "https://creativecommons.org/licenses/by-nc-nd/4.0/", "non_commercial", True, False, "none", False, "", {}),
    ("ODC-By-1.0", "Open Data Commons Attribution License v1.0", "https://opendatacommons.org/licenses/by/1-0/",
     "commercial", True, False, "none", True, "", {}),
    ("ODbL-1.0", "Open Data Commons Open Database License v1.0", "https://opendatacommons.org/licenses/odbl/1-0/",
     "commercial", True, True, "database", True, "", {"produced_works_notice": True}),
    ("Apache-2.0", "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0",
     "commercial", True, False, "none", True, "", {"notice_file": True, "patent_grant": True}),
    ("MIT", "MIT License", "https://opensource.org/license/mit", "commercial", True, False, "none", True, "", {}),
    ("LicenseRef-BigScience-OpenRAIL-M", "BigScience OpenRAIL-M License",
     "https://www.licenses.ai/blog/2022/8/26/bigscience-open-rail-m-license", "commercial", True, False, "none", True,
     "Use restrictions of Attachment A flow down to every derivative and must be passed on to users.",
     {"use_restrictions_flow_down": True}),
    ("LicenseRef-Llama-3-Community", "Meta Llama 3 Community License Agreement",
     "https://llama.meta.com/llama3/license/", "commercial", True, False, "none", True,
     "Acceptable Use Policy applies; no use of outputs to improve other large language models.",
     {"mau_threshold": 700_000_000, "naming_prefix": "Llama 3", "output_training_ban": True,
      "attribution_notice": "Built with Meta Llama 3"}),
    ("NOASSERTION", "Unknown (no licence asserted)", "", "unspecified", True, False, "none", True, "", {}),
]


def seed(apps, schema_editor):
    Licence = apps.get_model("catalog", "Licence")
    for spdx, name, url, use, attribution, sa, scope, derivatives, restrictions, conditions in LICENCES:
        Licence.objects.update_or_create(
            spdx_id=spdx,
            defaults={
                "name": name,
                "url": url,
                "use_class": use,
                "attribution_required": attribution,
                "share_alike": sa,
                "copyleft_scope": scope,
                "derivatives_allowed": derivatives,
                "use_restrictions": restrictions,
                "conditions": conditions,
                "is_unknown": spdx == "NOASSERTION",
                "propagates_to_model": "yes",
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("catalog", "Licence").objects.filter(spdx_id__in=[row[0] for row in LICENCES]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
