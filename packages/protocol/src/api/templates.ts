// App templates over the API: a read-only catalogue (file or URL) plus custom templates stored in the
// database, each a compose file, extra files and typed variables; rendered into what a new stack needs.
import { z } from 'zod';
import { IdSchema, NameSchema, PageQueryShape, TimestampSchema, pageOf } from './common.ts';
import { StackNameSchema } from './stacks.ts';

/** Longest compose text or extra file a template may carry (the request body limit is 1 MiB). */
export const MAX_TEMPLATE_TEXT = 256 * 1024;

export const TEMPLATE_VARIABLE_TYPES = ['string', 'number', 'boolean', 'select', 'secret', 'port'] as const;
export const TemplateVariableTypeSchema = z.enum(TEMPLATE_VARIABLE_TYPES);
export type TemplateVariableType = z.infer<typeof TemplateVariableTypeSchema>;

/** A variable name as compose interpolates it: `${NAME}`. */
export const TemplateVariableNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be a variable name: letters, digits and _, not starting with a digit, at most 128 characters');

/** A value given for a variable: forms send strings, API clients may send typed JSON. */
export const TemplateValueSchema = z.union([z.string().max(4096, 'must be at most 4096 characters'), z.number(), z.boolean()]);
export type TemplateValue = z.infer<typeof TemplateValueSchema>;

export const TemplateSelectOptionSchema = z.strictObject({
  value: z.string().max(256),
  label: z.string().max(100).optional(),
});

/**
 * One typed variable. `min`/`max` bound the length of string and secret values and the value of
 * number and port values; `pattern` (string, secret) must match the whole value. Consistency
 * between the fields (options only for select, a default that passes its own checks, …) is checked
 * by the server, which names the field to fix.
 */
export const TemplateVariableSchema = z.strictObject({
  name: TemplateVariableNameSchema,
  label: z.string().trim().max(100).optional(),
  description: z.string().max(1000).default(''),
  type: TemplateVariableTypeSchema,
  default: TemplateValueSchema.optional(),
  required: z.boolean().default(false),
  options: z.array(TemplateSelectOptionSchema).max(100).optional(),
  pattern: z.string().min(1).max(512).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type TemplateVariable = z.infer<typeof TemplateVariableSchema>;

/** An extra file of the stack (config files, scripts), by its relative path inside the project. */
export const TemplateFileSchema = z.strictObject({
  name: z
    .string()
    .max(255)
    .regex(
      /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/,
      'must be a relative path of letters, digits, . _ - separated by /, without . or .. segments',
    ),
  content: z.string().max(MAX_TEMPLATE_TEXT, `must be at most ${MAX_TEMPLATE_TEXT} characters`),
});
export type TemplateFile = z.infer<typeof TemplateFileSchema>;

const LogoSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/\S+$/i, 'must be an http:// or https:// URL');

/** What a template is, whoever stores it: the body of POST /api/templates and a catalogue entry minus its id. */
const templateFields = {
  title: NameSchema,
  description: z.string().max(4000).default(''),
  categories: z.array(z.string().trim().min(1).max(40).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')).max(16).default([]),
  logo: LogoSchema.nullable().default(null),
  compose: z.string().min(1, 'must not be empty').max(MAX_TEMPLATE_TEXT, `must be at most ${MAX_TEMPLATE_TEXT} characters`),
  files: z.array(TemplateFileSchema).max(32).default([]),
  variables: z.array(TemplateVariableSchema).max(100).default([]),
};

export const CreateTemplateSchema = z.strictObject(templateFields);
export type CreateTemplate = z.infer<typeof CreateTemplateSchema>;

export const UpdateTemplateSchema = z
  .strictObject({
    title: templateFields.title.optional(),
    description: z.string().max(4000).optional(),
    categories: templateFields.categories.unwrap().optional(),
    logo: LogoSchema.nullable().optional(),
    compose: templateFields.compose.optional(),
    files: templateFields.files.unwrap().optional(),
    variables: templateFields.variables.unwrap().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one of title, description, categories, logo, compose, files, variables');
export type UpdateTemplate = z.infer<typeof UpdateTemplateSchema>;

/** Catalogue ids are slugs starting with a letter; custom templates have numeric ids. */
export const CatalogueTemplateIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a slug: lowercase letters, digits and -, starting with a letter, at most 64 characters')
  .refine((v) => v !== 'catalogue', '"catalogue" is reserved');

/** One entry of a catalogue file: a template with its stable id. */
export const CatalogueEntrySchema = z.strictObject({ id: CatalogueTemplateIdSchema, ...templateFields });
export type CatalogueEntry = z.infer<typeof CatalogueEntrySchema>;

/** A template id in a URL: a catalogue slug or a custom template's number. */
export const TemplateIdSchema = z
  .string()
  .regex(/^(?:[1-9][0-9]{0,9}|[a-z][a-z0-9-]{0,63})$/, 'must be a catalogue template id (a slug) or a custom template number');
export const TemplateParamsSchema = z.strictObject({ id: TemplateIdSchema });

export const TemplateSourceSchema = z.enum(['catalogue', 'custom']);

export const TemplateSchema = z.object({
  id: z.string(),
  source: TemplateSourceSchema,
  title: z.string(),
  description: z.string(),
  categories: z.array(z.string()),
  logo: z.string().nullable(),
  compose: z.string(),
  files: z.array(TemplateFileSchema),
  variables: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      description: z.string(),
      type: TemplateVariableTypeSchema,
      default: TemplateValueSchema.optional(),
      required: z.boolean(),
      options: z.array(TemplateSelectOptionSchema).optional(),
      pattern: z.string().optional(),
      min: z.number().optional(),
      max: z.number().optional(),
    }),
  ),
  /** Custom templates only (null for catalogue entries). */
  createdBy: IdSchema.nullable(),
  createdAt: TimestampSchema.nullable(),
  updatedAt: TimestampSchema.nullable(),
});
export type Template = z.infer<typeof TemplateSchema>;

/** A list row: the template without its compose text and files. */
export const TemplateSummarySchema = TemplateSchema.omit({ compose: true, files: true, variables: true }).extend({
  variableCount: z.number().int(),
});
export type TemplateSummary = z.infer<typeof TemplateSummarySchema>;

export const TemplateListQuerySchema = z.strictObject({
  ...PageQueryShape,
  source: TemplateSourceSchema.optional(),
  category: z.string().max(40).optional(),
  /** Case-insensitive match in title, description and categories. */
  search: z.string().max(100).optional(),
});
export type TemplateListQuery = z.infer<typeof TemplateListQuerySchema>;
export const TemplatePageSchema = pageOf(TemplateSummarySchema);
export type TemplatePage = z.infer<typeof TemplatePageSchema>;

const ValuesSchema = z
  .record(z.string().max(128), TemplateValueSchema)
  .refine((v) => Object.keys(v).length <= 100, 'give at most 100 variables');

export const RenderTemplateSchema = z.strictObject({ variables: ValuesSchema.default({}) });
export type RenderTemplate = z.infer<typeof RenderTemplateSchema>;

/** A rendered variable: the value a stack gets; secret ones are stored and shown as secrets. */
export const RenderedVariableSchema = z.object({ name: z.string(), value: z.string(), secret: z.boolean() });
export type RenderedVariable = z.infer<typeof RenderedVariableSchema>;

/** What a new stack needs: compose text (still holding `${VAR}` references), files and variable values. */
export const RenderedTemplateSchema = z.object({
  templateId: z.string(),
  compose: z.string(),
  files: z.array(TemplateFileSchema),
  variables: z.array(RenderedVariableSchema),
});
export type RenderedTemplate = z.infer<typeof RenderedTemplateSchema>;

export const DeployTemplateSchema = z.strictObject({
  environmentId: IdSchema,
  /** The new stack's name (unique per environment). */
  name: StackNameSchema,
  variables: ValuesSchema.default({}),
});
export type DeployTemplate = z.infer<typeof DeployTemplateSchema>;

/** The stack a deploy created, as the stacks service answered (at least its id and name). */
export const TemplateDeployResultSchema = z.object({
  templateId: z.string(),
  stack: z.looseObject({ id: IdSchema, name: z.string(), environmentId: IdSchema }),
});
export type TemplateDeployResult = z.infer<typeof TemplateDeployResultSchema>;

export const SkippedCatalogueEntrySchema = z.object({
  /** Position in the catalogue's `templates` array. */
  index: z.number().int(),
  id: z.string().nullable(),
  reason: z.string(),
});
export type SkippedCatalogueEntry = z.infer<typeof SkippedCatalogueEntrySchema>;

/** Where the catalogue comes from and how its last load went. */
export const CatalogueStatusSchema = z.object({
  source: z.object({
    kind: z.enum(['file', 'url', 'none']),
    /** The file path, or the URL without credentials, query or fragment. */
    location: z.string().nullable(),
  }),
  refreshIntervalMs: z.number().int().nullable(),
  /** `loading` before the first attempt ends; `ok` when the last attempt succeeded; `error` otherwise. */
  state: z.enum(['loading', 'ok', 'error']),
  /** When the templates now served were loaded (null: none ever). */
  loadedAt: TimestampSchema.nullable(),
  lastAttemptAt: TimestampSchema.nullable(),
  /** Why the last attempt failed; the previously loaded templates stay in use. */
  lastError: z.string().nullable(),
  templates: z.number().int(),
  skipped: z.array(SkippedCatalogueEntrySchema),
});
export type CatalogueStatus = z.infer<typeof CatalogueStatusSchema>;
