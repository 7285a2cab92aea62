// zod/mini: the same validation as classic zod at a fraction of the bundle size (tree-shakable).
import * as z from 'zod/mini';

/**
 * CloudTrail records as EventBridge delivers them ("AWS API Call via CloudTrail" and the sign-in
 * detail types). Loose objects: optional fields come and go with `eventVersion`, and unknown ones
 * are kept. Only what Warden relies on is required.
 */
const optionalString = z.optional(z.string());
const nonEmpty = z.string().check(z.minLength(1));
const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'));

const SessionIssuerSchema = z.looseObject({
  type: optionalString,
  principalId: optionalString,
  arn: optionalString,
  accountId: optionalString,
  userName: optionalString,
});

export const UserIdentitySchema = z.looseObject({
  type: nonEmpty,
  principalId: optionalString,
  arn: optionalString,
  accountId: optionalString,
  accessKeyId: optionalString,
  userName: optionalString,
  invokedBy: optionalString,
  sessionContext: z.optional(
    z.looseObject({
      sessionIssuer: z.optional(SessionIssuerSchema),
      attributes: z.optional(z.looseObject({ mfaAuthenticated: optionalString })),
    }),
  ),
});

const jsonObject = z.record(z.string(), z.unknown());

export const CloudTrailDetailSchema = z.looseObject({
  eventVersion: optionalString,
  userIdentity: UserIdentitySchema,
  eventTime: nonEmpty,
  eventSource: nonEmpty,
  eventName: nonEmpty,
  awsRegion: nonEmpty,
  sourceIPAddress: optionalString,
  userAgent: optionalString,
  errorCode: optionalString,
  errorMessage: optionalString,
  requestParameters: z.optional(z.nullable(jsonObject)),
  responseElements: z.optional(z.nullable(jsonObject)),
  additionalEventData: z.optional(z.nullable(jsonObject)),
  eventID: nonEmpty,
  recipientAccountId: z.optional(accountId),
});

/**
 * The EventBridge envelope. Written here rather than extending Powertools' schema, whose
 * `import { z }` pulls all of classic zod (locales included) into the bundle.
 */
export const CloudTrailEventSchema = z.looseObject({
  version: z.string(),
  id: nonEmpty,
  'detail-type': nonEmpty,
  source: nonEmpty,
  account: accountId,
  time: nonEmpty,
  region: nonEmpty,
  resources: z._default(z.array(z.string()), []),
  detail: CloudTrailDetailSchema,
});

export type CloudTrailEvent = z.infer<typeof CloudTrailEventSchema>;
export type CloudTrailDetail = z.infer<typeof CloudTrailDetailSchema>;
export type UserIdentity = z.infer<typeof UserIdentitySchema>;
