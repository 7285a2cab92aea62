import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ensureCfnLint } from '../../cli/local/python-tools.ts';
import { DEFAULT_ENABLED_REGIONS } from '../../infra/config/deployment-regions.ts';
import { ORG, organizationPolicy, synthOrganization } from './support/org-synth.ts';

const AWS_SOLUTIONS = Match.stringLikeRegexp('AwsSolutions-');
// cfn-lint exit code bits: 2 = error, 4 = warning, 8 = informational.
const ERROR_OR_WARNING = 2 | 4;

const synthesized = synthOrganization({
  policyFile: organizationPolicy('  createTrail: true\n'),
  env: { account: '444455556666', region: 'eu-west-1' },
});
const trail = synthesized.trail as Stack;
const stacks: [string, Stack][] = [
  ['organization', synthesized.organization],
  ['spoke', synthesized.organization.spoke],
  ['trail', trail],
  ['hub (organization mode)', synthesized.hub],
];

type Suppression = { id: string; reason: string };
const suppressionsOf = (template: Template) =>
  Object.entries(
    template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>,
  ).flatMap(([resource, { Metadata }]) =>
    ((Metadata?.cdk_nag as { rules_to_suppress?: Suppression[] } | undefined)?.rules_to_suppress ?? []).map(
      (rule) => ({ resource, ...rule }),
    ),
  );

describe.each(stacks)('cdk-nag AwsSolutions pack: %s stack', (_name, stack) => {
  it('reports no unsuppressed error or warning', () => {
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', AWS_SOLUTIONS)).toEqual([]);
    expect(annotations.findWarning('*', AWS_SOLUTIONS)).toEqual([]);
  });

  it('justifies every suppression with a specific reason', () => {
    for (const suppression of suppressionsOf(Template.fromStack(stack))) {
      expect(suppression.reason.length, `${suppression.resource} ${suppression.id}`).toBeGreaterThan(60);
    }
  });
});

describe('stack placement', () => {
  it('puts the organization trail in the management account, in the hub region', () => {
    expect(trail.account).toBe('111122223333');
    expect(trail.region).toBe('eu-west-1');
    Template.fromStack(trail).hasResourceProperties('AWS::CloudTrail::Trail', {
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: Match.anyValue(),
    });
  });

  it('keeps the trail bucket private, TLS-only, versioned and KMS-encrypted', () => {
    const template = Template.fromStack(trail);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('deploys the organization stack after the hub, next to it', () => {
    const { organization, hub } = synthesized;
    expect(organization.dependencies).toContain(hub);
    expect([organization.account, organization.region]).toEqual([hub.account, hub.region]);
  });
});

describe('cfn-lint', () => {
  // On PATH, else installed from requirements-dev.txt into .warden/venv: never skipped.
  const cfnLint = ensureCfnLint();
  const dir = mkdtempSync(join(tmpdir(), 'warden-cfn-'));
  // Every stack the organization-mode app synthesizes, each linted for its own region, and the
  // spoke template the StackSet rolls out, linted for every region it goes to.
  const appStacks = synthesized.app.node.children.filter(Stack.isStack);
  const templates: [string, unknown, readonly string[]][] = [
    ...appStacks.map((stack): [string, unknown, readonly string[]] => [
      stack.node.id,
      Template.fromStack(stack).toJSON(),
      [stack.region],
    ]),
    // The StackSet's regions: the watched ones and every other region forwarding account-level changes.
    [
      'spoke',
      synthesized.organization.spokeTemplate,
      [...new Set([...ORG.regions, ...synthesized.regions.accountLevelRegions])],
    ],
  ];

  it('covers the hub, every forwarder, the organization and trail stacks', () => {
    const { hub, forwarders, organization } = synthesized;

    expect(forwarders.map((stack) => stack.region)).toEqual(
      [...DEFAULT_ENABLED_REGIONS].filter((region) => region !== 'eu-west-1').sort(),
    );
    expect(templates.map(([name]) => name)).toEqual(
      expect.arrayContaining([hub, ...forwarders, organization, trail].map((stack) => stack.node.id)),
    );
  });

  it.each(templates)('finds no error or warning in the %s template', (name, template, regions) => {
    const file = join(dir, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(template, null, 1));

    const run = spawnSync(cfnLint, ['--format', 'parseable', '--regions', ...regions, '--', file], {
      encoding: 'utf8',
    });

    expect(run.error, `${cfnLint} did not run`).toBeUndefined();
    expect(run.status === null ? -1 : run.status & ERROR_OR_WARNING, run.stdout + run.stderr).toBe(0);
  });
});
