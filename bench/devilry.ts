// bench:devilry: the examiner search of assignment groups at scale (filled in with the Devilry dialect).
process.stdout.write('bench:devilry: not built yet\n');
