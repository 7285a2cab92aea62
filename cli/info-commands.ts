import { controlCatalogue } from '#shared/controls/catalogue.ts';
import { renderTable } from './output.ts';
import { rootKeysScp, rootKeysScpInstructions } from './scp-root-keys.ts';

const print = (text = '') => process.stdout.write(`${text}\n`);

/**
 * `warden scp root-keys`: the SCP JSON on stdout (so `warden scp root-keys > deny-root-access-keys.json`
 * writes just the policy), how to attach it on stderr.
 */
export function scpRootKeys(): number {
  process.stdout.write(rootKeysScp());
  process.stderr.write(`\n${rootKeysScpInstructions()}`);
  return 0;
}

/** `warden controls`: the control catalogue from the registries (the README table's source). */
export function listControls(): number {
  const entries = controlCatalogue();
  print(
    renderTable(
      ['CONTROL', 'GUARD', 'SEVERITY', 'DEFAULT', 'WHAT IT ENSURES'],
      entries.map((entry) => [entry.id, entry.guard, entry.severity, entry.defaultMode, entry.title]),
    ),
  );
  print();
  for (const entry of entries) {
    print(`${entry.id}`);
    print(`  triggered by  ${entry.triggers.join(', ')}`);
    print(`  maps to       ${entry.compliance.join('; ') || '—'}`);
  }
  print();
  print("Set a control's mode (enforce, detect, off) under controls.<id>.mode in warden.policy.yaml.");
  return 0;
}
