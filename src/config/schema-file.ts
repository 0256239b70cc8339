/** Where tk.yml's JSON Schema ships: schemas/tk.schema.json at the package root, beside src/ and dist/. */
export const SCHEMA_FILE_URL = new URL('../../schemas/tk.schema.json', import.meta.url)
