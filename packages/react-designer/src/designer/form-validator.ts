import {
  createErrorHandler,
  getDefaultFormState,
  getUiOptions,
  getByPath,
  toErrorSchema,
  toPath,
  unwrapErrorHandler,
  validationDataMerge,
  type CustomValidator,
  type ErrorTransformer,
  type RJSFSchema,
  type RJSFValidationError,
  type UiSchema,
  type ValidationData,
  type ValidatorType,
} from '@rjsf/utils'
import { checkJsonSchema, type JsonSchemaError } from './check-json-schema'

type FormData = Record<string, unknown> | undefined

/**
 * The errors of one check turned into rjsf's form (as @rjsf/validator-ajv8 turns ajv's): a
 * dotted property path, the message with the field's title for a missing property, and a
 * stack that names the field.
 */
function toValidationErrors(errors: JsonSchemaError[], uiSchema?: UiSchema): RJSFValidationError[] {
  const list = errors.map((error): RJSFValidationError => {
    let property = error.instancePath.replace(/\//g, '.')
    let message = error.message
    let stack = `${property} ${message}`.trim()
    let title = ''
    const named = error.params.missingProperty ?? error.params.property
    if (typeof named === 'string') {
      const path = property ? `${property}.${named}` : named
      const found =
        getUiOptions(getByPath(uiSchema, toPath(path)) as UiSchema).title ??
        (getByPath(error.parentSchema, ['properties', named, 'title']) as string | undefined)
      if (found) {
        message = message.replace(`'${named}'`, `'${found}'`)
        title = found
      }
      stack = message
    } else {
      const found =
        getUiOptions(getByPath(uiSchema, toPath(property)) as UiSchema).title ??
        (error.parentSchema.title as string | undefined)
      if (found) {
        stack = `'${found}' ${message}`.trim()
        title = found
      }
    }
    if (typeof error.params.missingProperty === 'string')
      property = property
        ? `${property}.${error.params.missingProperty}`
        : error.params.missingProperty
    return {
      name: error.keyword,
      property,
      message,
      params: error.params,
      stack,
      schemaPath: error.schemaPath,
      title,
    }
  })
  // One message per anyOf / oneOf: the alternatives' identical errors are reported once.
  return list.filter((error, index) => {
    const cut = error.schemaPath?.search(/\/(anyOf|oneOf)\//) ?? -1
    if (cut < 0) return true
    const prefix = error.schemaPath!.slice(0, cut)
    return !list
      .slice(0, index)
      .some(
        (earlier) => earlier.message === error.message && earlier.schemaPath?.startsWith(prefix),
      )
  })
}

/**
 * A validator for @rjsf/core forms that never compiles code: it checks form data by walking
 * the JSON Schema ({@link checkJsonSchema}), so forms stay fully validated under a Content
 * Security Policy without `'unsafe-eval'` (where @rjsf/validator-ajv8, which compiles every
 * schema with `new Function`, fails). Errors carry ajv's messages and shape. The designer's
 * properties form uses it; each call returns a new validator with no shared state.
 *
 * @example
 * ```tsx
 * import Form from '@rjsf/core'
 *
 * const validator = createFormValidator()
 * <Form schema={schema} validator={validator} liveValidate="onChange" />
 * ```
 */
export function createFormValidator(): ValidatorType<FormData, RJSFSchema> {
  const validator: ValidatorType<FormData, RJSFSchema> = {
    rawValidation<Result = JsonSchemaError>(schema: RJSFSchema, formData?: FormData) {
      try {
        return { errors: checkJsonSchema(schema, formData) as Result[] }
      } catch (error) {
        return { validationError: error as Error }
      }
    },

    validateFormData(
      formData: FormData,
      schema: RJSFSchema,
      customValidate?: CustomValidator<FormData, RJSFSchema>,
      transformErrors?: ErrorTransformer<FormData, RJSFSchema>,
      uiSchema?: UiSchema<FormData, RJSFSchema>,
    ): ValidationData<FormData> {
      const raw = validator.rawValidation<JsonSchemaError>(schema, formData)
      let errors = toValidationErrors(raw.errors ?? [], uiSchema)
      if (raw.validationError) errors = [...errors, { stack: raw.validationError.message }]
      if (transformErrors) errors = transformErrors(errors, uiSchema)
      let errorSchema = toErrorSchema<FormData>(errors)
      if (raw.validationError)
        errorSchema = {
          ...errorSchema,
          $schema: { __errors: [raw.validationError.message] },
        } as typeof errorSchema
      if (!customValidate) return { errors, errorSchema }
      const withDefaults = getDefaultFormState(
        validator,
        schema,
        formData,
        schema,
        true,
      ) as FormData
      const handler = customValidate(
        withDefaults,
        createErrorHandler(withDefaults),
        uiSchema,
        errorSchema,
      )
      return validationDataMerge({ errors, errorSchema }, unwrapErrorHandler(handler))
    },

    isValid(schema: RJSFSchema, formData: FormData, rootSchema: RJSFSchema): boolean {
      try {
        return checkJsonSchema(schema, formData, { rootSchema, firstErrorOnly: true }).length === 0
      } catch {
        return false
      }
    },
  }
  return validator
}
