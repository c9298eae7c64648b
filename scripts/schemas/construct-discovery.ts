import ts from 'typescript';

/** A construct class of the library and the declarations of the props its constructor takes. */
export interface DiscoveredConstruct {
  readonly className: string;
  readonly file: string;
  /** The props types, by name: one, or several for a constructor that takes a union. */
  readonly propsTypes: readonly string[];
  /** The props' interface (or alias) declarations, in the order of `propsTypes`. */
  readonly declarations: readonly ts.Node[];
  /** The props parameter has a default (`props: FooProps = {}`), so it may be left out. */
  readonly optional: boolean;
}

/** A class with static factories returning it (`Rollout.canary()`), the only way to build one. */
export interface DiscoveredFactory {
  readonly name: string;
  /** The factory's parameter, if it takes exactly one. */
  readonly parameter?: ts.ParameterDeclaration;
  readonly parameterCount: number;
  /** The factory may be called without an argument. */
  readonly callableBare: boolean;
  readonly description?: string;
}

/** True when `type` derives, at any depth, from a class or interface named one of `names`. */
export function derivesFrom(checker: ts.TypeChecker, type: ts.Type, names: ReadonlySet<string>): boolean {
  if (!((type as ts.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return false;
  for (const base of checker.getBaseTypes(type as ts.InterfaceType)) {
    if (base.symbol !== undefined && names.has(base.symbol.name)) return true;
    if (derivesFrom(checker, base, names)) return true;
  }
  return false;
}

/**
 * Every construct class under `libFolder` (any class deriving from `Construct`, a cdk8s `Chart`
 * included) whose constructor takes `(scope, id, props)`, with its props types. Found from the
 * code, so that a construct added on another branch is covered without being listed anywhere.
 */
export function discoverConstructs(program: ts.Program, libFolder: string): DiscoveredConstruct[] {
  const checker = program.getTypeChecker();
  const found: DiscoveredConstruct[] = [];
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(libFolder) || file.isDeclarationFile) continue;
    ts.forEachChild(file, (node) => {
      if (!ts.isClassDeclaration(node) || node.name === undefined) return;
      const type = checker.getTypeAtLocation(node.name);
      if (!derivesFrom(checker, type, new Set(['Construct']))) return;
      const ctor = node.members.find(ts.isConstructorDeclaration);
      const props = ctor?.parameters[2];
      if (props?.type === undefined) return;
      // `(scope, id, keyArn: string)`: not a props object; the class's factory checks the value.
      if (props.type.kind === ts.SyntaxKind.StringKeyword) return;
      const references = ts.isUnionTypeNode(props.type) ? props.type.types : [props.type];
      const declarations = references.map((reference) => propsDeclaration(checker, reference, node.name!.text));
      found.push({
        className: node.name.text,
        file: file.fileName,
        propsTypes: declarations.map((d) => (d as ts.InterfaceDeclaration).name.text),
        declarations,
        optional: props.initializer !== undefined || props.questionToken !== undefined,
      });
    });
  }
  return found.sort((a, b) => a.className.localeCompare(b.className));
}

function propsDeclaration(checker: ts.TypeChecker, reference: ts.TypeNode, className: string): ts.Node {
  if (!ts.isTypeReferenceNode(reference)) throw new Error(`${className}: its props must be a named interface, not ${reference.getText()}`);
  let symbol = checker.getSymbolAtLocation(reference.typeName);
  if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.find((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d));
  if (declaration === undefined) throw new Error(`${className}: cannot find the declaration of ${reference.getText()}`);
  return declaration;
}

/** The public static methods of `declaration` that return its class. */
export function discoverFactories(checker: ts.TypeChecker, declaration: ts.ClassDeclaration): DiscoveredFactory[] {
  const classType = checker.getTypeAtLocation(declaration.name!);
  const factories: DiscoveredFactory[] = [];
  for (const member of declaration.members) {
    if (!ts.isMethodDeclaration(member) || !ts.isIdentifier(member.name)) continue;
    const modifiers = ts.getCombinedModifierFlags(member);
    if (!(modifiers & ts.ModifierFlags.Static) || modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
    const signature = checker.getSignatureFromDeclaration(member);
    if (signature === undefined || checker.getReturnTypeOfSignature(signature) !== classType) continue;
    const parameter = member.parameters.length === 1 ? member.parameters[0] : undefined;
    const documentation = ts.displayPartsToString(checker.getSymbolAtLocation(member.name)?.getDocumentationComment(checker) ?? []);
    factories.push({
      name: member.name.text,
      parameter,
      parameterCount: member.parameters.length,
      callableBare: member.parameters.every((p) => p.initializer !== undefined || p.questionToken !== undefined),
      description: documentation === '' ? undefined : documentation,
    });
  }
  return factories;
}
