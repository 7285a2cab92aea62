import * as z from 'zod';

/**
 * CloudTrail records as EventBridge delivers them ("AWS API Call via CloudTrail" and the sign-in
 * detail types). Loose objects: optional fields come and go with `eventVersion`, and unknown ones
 * are kept. Only what Warden relies on is required.
 */
const SessionIssuerSchema = z.looseObject({
  type: z.string().optional(),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
});

export const UserIdentitySchema = z.looseObject({
  type: z.string().min(1),
  principalId: z.string().optional(),
  arn: z.string().optional(),
  accountId: z.string().optional(),
  accessKeyId: z.string().optional(),
  userName: z.string().optional(),
  invokedBy: z.string().optional(),
  sessionContext: z
    .looseObject({
      sessionIssuer: SessionIssuerSchema.optional(),
      attributes: z.looseObject({ mfaAuthenticated: z.string().optional() }).optional(),
    })
    .optional(),
});

const jsonObject = z.record(z.string(), z.unknown());

export const CloudTrailDetailSchema = z.looseObject({
  eventVersion: z.string().optional(),
  userIdentity: UserIdentitySchema,
  eventTime: z.string().min(1),
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  awsRegion: z.string().min(1),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: jsonObject.nullable().optional(),
  responseElements: jsonObject.nullable().optional(),
  additionalEventData: jsonObject.nullable().optional(),
  eventID: z.string().min(1),
  recipientAccountId: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
});

/**
 * The EventBridge envelope. Written here rather than extending Powertools' schema, whose
 * `import { z }` pulls all of zod (locales included) into the bundle.
 */
export const CloudTrailEventSchema = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
  time: z.string().min(1),
  region: z.string().min(1),
  resources: z.array(z.string()).default([]),
  detail: CloudTrailDetailSchema,
});

export type CloudTrailEvent = z.infer<typeof CloudTrailEventSchema>;
export type CloudTrailDetail = z.infer<typeof CloudTrailDetailSchema>;
export type UserIdentity = z.infer<typeof UserIdentitySchema>;
