import type {
  CatalogueEntry,
  CatalogueStatus,
  CreateTemplate,
  DeployTemplate,
  RenderTemplate,
  RenderedTemplate,
  RenderedVariable,
  Template,
  TemplateDeployResult,
  TemplateFile,
  TemplateListQuery,
  TemplatePage,
  TemplateSummary,
  TemplateVariable,
  UpdateTemplate,
} from '@capstan/protocol';
import { AppError, notFound } from '../../errors.ts';
import { requirePrincipal, type RequestContext } from '../../http/context.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { Catalogue } from './catalogue.ts';
import { checkTemplateVariables, resolveValues, type FieldProblem } from './template-variables.ts';
import type { StoredTemplate, TemplatesRepository } from './templates.repository.ts';

/** What a template deploy asks the stacks module to create and deploy. */
export interface NewStackFromTemplate {
  name: string;
  environmentId: number;
  compose: string;
  files: TemplateFile[];
  variables: RenderedVariable[];
  source: { kind: 'template'; templateId: string };
}

/** The stack the stacks module created (at least these fields). */
export type CreatedStackRef = { id: number; name: string; environmentId: number } & Record<string, unknown>;

/** The seam to the stacks module: create the stack and start its first deploy, auditing through `ctx`. */
export type CreateStackFn = (ctx: RequestContext, input: NewStackFromTemplate) => Promise<CreatedStackRef>;

function invalid(problems: FieldProblem[], location: 'body' = 'body'): AppError {
  const first = problems[0];
  const summary = first ? `${location}.${first.path}: ${first.message}` : location;
  return new AppError('validation_failed', `${summary}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
    issues: problems.map((p) => ({ location, path: p.path, message: p.message })),
  });
}

function presentVariables(vars: readonly TemplateVariable[]): Template['variables'] {
  return vars.map((v) => ({ ...v, label: v.label || v.name }));
}

/** The API view of a template's content, with where it comes from and who made it when. */
function toTemplate(t: CatalogueEntry | StoredTemplate, origin: Pick<Template, 'id' | 'source' | 'createdBy' | 'createdAt' | 'updatedAt'>): Template {
  return {
    id: origin.id,
    source: origin.source,
    title: t.title,
    description: t.description,
    categories: t.categories,
    logo: t.logo,
    compose: t.compose,
    files: t.files,
    variables: presentVariables(t.variables),
    createdBy: origin.createdBy,
    createdAt: origin.createdAt,
    updatedAt: origin.updatedAt,
  };
}

function fromCatalogue(t: CatalogueEntry): Template {
  return toTemplate(t, { id: t.id, source: 'catalogue', createdBy: null, createdAt: null, updatedAt: null });
}

function fromStore(t: StoredTemplate): Template {
  return toTemplate(t, { id: String(t.id), source: 'custom', createdBy: t.createdBy, createdAt: t.createdAt, updatedAt: t.updatedAt });
}

function summary(t: Template): TemplateSummary {
  const { compose: _c, files: _f, variables, ...rest } = t;
  return { ...rest, variableCount: variables.length };
}

/** A numeric id names a custom template, a slug a catalogue one. */
function customId(id: string): number | null {
  return /^[0-9]+$/.test(id) ? Number(id) : null;
}

function readOnly(id: string): AppError {
  return new AppError('template_read_only', `template ${id} comes from the catalogue and cannot be changed: copy it into a custom template with POST /api/templates`);
}

/** App templates: the catalogue (read-only) and custom templates; rendering and deploying them as stacks. */
export class TemplatesService {
  private readonly repo: TemplatesRepository;
  private readonly audit: AuditService;
  readonly catalogue: Catalogue;
  private createStack: CreateStackFn | null;

  constructor(deps: { repo: TemplatesRepository; audit: AuditService; catalogue: Catalogue; createStack?: CreateStackFn | null }) {
    this.repo = deps.repo;
    this.audit = deps.audit;
    this.catalogue = deps.catalogue;
    this.createStack = deps.createStack ?? null;
  }

  /** Connects deploys to the stacks module (app.ts wires it once both exist). */
  useStacks(createStack: CreateStackFn): void {
    this.createStack = createStack;
  }

  /** Catalogue and custom templates together, filtered, sorted by title. */
  async list(q: TemplateListQuery): Promise<TemplatePage> {
    const all: Template[] = [];
    if (q.source !== 'custom') all.push(...this.catalogue.list().map(fromCatalogue));
    if (q.source !== 'catalogue') all.push(...(await this.repo.list()).map(fromStore));
    const category = q.category?.toLowerCase();
    const search = q.search?.trim().toLowerCase();
    const matching = all.filter(
      (t) =>
        (!category || t.categories.some((c) => c.toLowerCase() === category)) &&
        (!search || [t.title, t.description, ...t.categories].some((s) => s.toLowerCase().includes(search))),
    );
    matching.sort((a, b) => a.title.localeCompare(b.title, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id));
    return { items: matching.slice(q.offset, q.offset + q.limit).map(summary), total: matching.length, limit: q.limit, offset: q.offset };
  }

  async get(id: string): Promise<Template> {
    const n = customId(id);
    if (n === null) {
      const entry = this.catalogue.get(id);
      if (!entry) throw notFound('template', id);
      return fromCatalogue(entry);
    }
    const stored = n <= 2_147_483_647 ? await this.repo.get(n) : undefined;
    if (!stored) throw notFound('template', id);
    return fromStore(stored);
  }

  async create(ctx: RequestContext, body: CreateTemplate): Promise<Template> {
    const problems = checkTemplateVariables(body.variables, body.compose);
    if (problems.length > 0) throw invalid(problems);
    if (await this.repo.titleTaken(body.title)) throw new AppError('conflict', `a template titled "${body.title}" exists: choose another title`);
    const createdBy = requirePrincipal(ctx).userId;
    return this.audit.transact(ctx, async (trx, audit) => {
      const id = await this.repo.insert(trx, body, createdBy);
      audit.targetType = 'template';
      audit.targetId = String(id);
      audit.details = { title: body.title, variables: body.variables.map((v) => v.name) };
      const stored = await this.repo.get(id, trx);
      if (!stored) throw notFound('template', id);
      return fromStore(stored);
    });
  }

  async update(ctx: RequestContext, id: string, body: UpdateTemplate): Promise<Template> {
    if (customId(id) === null) throw readOnly(id);
    const current = await this.get(id);
    const variables = body.variables ?? current.variables;
    const problems = checkTemplateVariables(variables, body.compose ?? current.compose);
    if (problems.length > 0) throw invalid(problems);
    if (body.title !== undefined && (await this.repo.titleTaken(body.title, Number(id)))) {
      throw new AppError('conflict', `a template titled "${body.title}" exists: choose another title`);
    }
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { changed: Object.keys(body) };
      await this.repo.update(trx, Number(id), body);
    });
    return this.get(id);
  }

  async delete(ctx: RequestContext, id: string): Promise<void> {
    if (customId(id) === null) throw readOnly(id);
    const current = await this.get(id);
    await this.audit.transact(ctx, async (trx, audit) => {
      audit.details = { title: current.title };
      await this.repo.delete(trx, Number(id));
    });
  }

  /** Checks the values against the template's variables and answers what a new stack needs. */
  async render(ctx: RequestContext, id: string, body: RenderTemplate): Promise<RenderedTemplate> {
    if (ctx.audit) {
      ctx.audit.targetType = 'template';
      // Names only: values may be secrets.
      ctx.audit.details = { variables: Object.keys(body.variables) };
    }
    const t = await this.get(id);
    const resolved = resolveValues(t.variables, body.variables);
    if ('problems' in resolved) throw invalid(resolved.problems);
    return { templateId: t.id, compose: t.compose, files: t.files, variables: resolved.values };
  }

  /** Renders the template and creates (and deploys) a stack from it on the environment. */
  async deploy(ctx: RequestContext, id: string, body: DeployTemplate): Promise<TemplateDeployResult> {
    const rendered = await this.render(ctx, id, { variables: body.variables });
    if (ctx.audit) ctx.audit.details = { ...ctx.audit.details, environmentId: body.environmentId, stack: body.name };
    if (!this.createStack) {
      throw new AppError('conflict', 'this server cannot create stacks from templates yet (no stacks module): render the template and create the stack with POST /api/stacks');
    }
    const stack = await this.createStack(ctx, {
      name: body.name,
      environmentId: body.environmentId,
      compose: rendered.compose,
      files: rendered.files,
      variables: rendered.variables,
      source: { kind: 'template', templateId: rendered.templateId },
    });
    return { templateId: rendered.templateId, stack };
  }

  catalogueStatus(): CatalogueStatus {
    return this.catalogue.status();
  }

  /** Reloads the catalogue now and answers how it went. */
  async refreshCatalogue(ctx: RequestContext): Promise<CatalogueStatus> {
    await this.catalogue.refresh();
    const status = this.catalogue.status();
    if (ctx.audit) ctx.audit.details = { state: status.state, templates: status.templates, skipped: status.skipped.length, error: status.lastError };
    return status;
  }
}
