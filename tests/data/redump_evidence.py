"""Writes every example evidence file again in 27 YAML styles: plain, double-
and single-quoted strings; block, flow and mixed collections; lines wrapped
at 20, 60 and 4096 columns (narrow widths make quoted values go on over
several lines). Usage: redump_evidence.py EXAMPLES_DIR OUT_DIR"""
import glob
import itertools
import os
import sys

import yaml

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
for path in sorted(glob.glob(os.path.join(src, '*.yaml'))):
    data = yaml.safe_load(open(path, encoding='utf-8'))
    base = os.path.basename(path)[:-5]
    for style, flow, width in itertools.product([None, '"', "'"], [False, True, None], [20, 60, 4096]):
        class Dumper(yaml.SafeDumper):
            pass
        if style:  # strings only: quoted dates, numbers or booleans are strings, which the schema refuses
            Dumper.add_representer(str, lambda d, s, style=style: d.represent_scalar('tag:yaml.org,2002:str', s, style=style))
        text = yaml.dump(data, Dumper=Dumper, default_flow_style=flow, width=width, allow_unicode=True, sort_keys=False)
        name = '{}.{}-{}-{}.yaml'.format(base, {None: 'plain', '"': 'dq', "'": 'sq'}[style], flow, width)
        open(os.path.join(out, name), 'w', encoding='utf-8').write('schema: ecei-evidence/1\n' + text
                                                                   if 'schema' not in data else text)
