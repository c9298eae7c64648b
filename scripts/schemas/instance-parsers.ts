import ts from 'typescript';
import {
  AnnotatedType, BaseType, Context, Definition, LiteralType, NeverType, NodeParser, ObjectProperty, ObjectType, SubNodeParser, SubTypeFormatter, UnionType,
} from 'ts-json-schema-generator';
import { derivesFrom, discoverFactories } from './construct-discovery';

/** Where a value must be an object made by code, not data: an instance of a class, or a construct. */
type InstanceKind = 'class' | 'construct' | 'external';

/** Marks in the schema (JSON Schema lets unknown keywords through; editors ignore them). */
export const MARKS = { instanceOf: 'x-instanceof', construct: 'x-construct', external: 'x-external', factories: 'x-factories' } as const;

class InstanceType extends BaseType {
  constructor(readonly name: string, readonly kind: InstanceKind) {
    super();
  }

  getId(): string {
    return `instance-${this.kind}-${this.name}`;
  }
}

/** What the generator learnt about the classes it met, for the checker's messages. */
export interface ClassFacts {
  /** Static factories, in declaration order (`Rollout.canary`). */
  readonly factories?: readonly string[];
  /** A construct: made with `new X(scope, id, props)`. */
  readonly construct?: boolean;
}

/**
 * The jsii naming rule that constructs, cdktf and cdk8s follow (and this library with them): an
 * interface named `I<Name>` describes behaviour (`IConstruct`, `ICluster`, `ITerraformDependable`)
 * and is met by objects made by code; any other interface is a struct of plain data.
 */
function isBehaviouralInterface(node: ts.InterfaceDeclaration): boolean {
  return /^I[A-Z]/.test(node.name.text);
}

function isLibrary(node: ts.Node, libFolder: string): boolean {
  return node.getSourceFile().fileName.startsWith(libFolder);
}

/**
 * Props mode: a class (ours or a dependency's) becomes `{ "x-instanceof": "Rollout" }`, checked by
 * its prototype chain; a behavioural interface that extends `IConstruct` (`ICluster`) becomes
 * `{ "x-construct": "ICluster" }`; any other (`ITerraformDependable`) an object whose fields are
 * its implementer's business.
 */
export class InstanceNodeParser implements SubNodeParser {
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly libFolder: string,
    private readonly classes: Map<string, ClassFacts>,
  ) {}

  supportsNode(node: ts.Node): boolean {
    if (ts.isClassDeclaration(node) && node.name !== undefined) return true;
    return ts.isInterfaceDeclaration(node) && isBehaviouralInterface(node);
  }

  createType(node: ts.Node): BaseType {
    if (ts.isClassDeclaration(node)) {
      const name = node.name!.text;
      if (isLibrary(node, this.libFolder) && !this.classes.has(name)) this.classes.set(name, this.facts(node));
      return new InstanceType(name, 'class');
    }
    const declaration = node as ts.InterfaceDeclaration;
    const construct = declaration.name.text === 'IConstruct' || derivesFrom(this.checker, this.checker.getTypeAtLocation(declaration.name), new Set(['IConstruct']));
    return new InstanceType(declaration.name.text, construct ? 'construct' : 'external');
  }

  private facts(node: ts.ClassDeclaration): ClassFacts {
    if (derivesFrom(this.checker, this.checker.getTypeAtLocation(node.name!), new Set(['Construct']))) return { construct: true };
    const factories = discoverFactories(this.checker, node).map((f) => f.name);
    return factories.length > 0 ? { factories } : {};
  }
}

export class InstanceTypeFormatter implements SubTypeFormatter {
  supportsType(type: BaseType): boolean {
    return type instanceof InstanceType;
  }

  getDefinition(type: InstanceType): Definition {
    if (type.kind === 'class') return { [MARKS.instanceOf]: type.name } as Definition;
    if (type.kind === 'construct') return { [MARKS.construct]: type.name } as Definition;
    return { type: 'object', [MARKS.external]: type.name } as Definition;
  }

  getChildren(): BaseType[] {
    return [];
  }
}

/**
 * Spec mode: in a YAML or JSON file a class instance is written as its factory call, `{ canary: {
 * newVersion: 1.1.0, weight: 10 } }` for `Rollout.canary({ ... })`, or the factory's name alone
 * when it needs no argument (`recreate`, `triton`). A construct (`ModelService` in a pipeline step)
 * cannot be written in a file: the union keeps its other members (the service's name).
 */
export class FactoryFormNodeParser implements SubNodeParser {
  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly childParser: NodeParser,
    private readonly libFolder: string,
  ) {}

  supportsNode(node: ts.Node): boolean {
    return ts.isClassDeclaration(node) || (ts.isInterfaceDeclaration(node) && isBehaviouralInterface(node));
  }

  createType(node: ts.Node): BaseType {
    if (!ts.isClassDeclaration(node)) return new NeverType();
    const name = node.name!.text;
    if (derivesFrom(this.checker, this.checker.getTypeAtLocation(node.name!), new Set(['Construct']))) return new NeverType();
    // A file can call a factory of one argument (or none): `{ canary: { ... } }`.
    const factories = isLibrary(node, this.libFolder) ? discoverFactories(this.checker, node).filter((f) => f.parameterCount <= 1) : [];
    if (factories.length === 0) throw new Error(`${name} has no static factories, so a spec file cannot give one; keep it out of the spec documents`);
    const forms: BaseType[] = factories.map((factory) => {
      const description = factory.description === undefined ? {} : { description: factory.description };
      if (factory.parameter?.type === undefined) return new AnnotatedType(new LiteralType(factory.name), description, false);
      const argument = this.childParser.createType(factory.parameter.type, new Context());
      const call = new ObjectType(`factory-${name}-${factory.name}`, [], [new ObjectProperty(factory.name, argument, true)], false);
      const form = new AnnotatedType(call, description, false);
      return factory.callableBare ? new UnionType([new AnnotatedType(new LiteralType(factory.name), description, false), form]) : form;
    });
    const documentation = ts.displayPartsToString(this.checker.getSymbolAtLocation(node.name!)?.getDocumentationComment(this.checker) ?? []);
    return new AnnotatedType(new UnionType(forms), { [MARKS.factories]: name, ...(documentation ? { description: documentation } : {}) }, false);
  }
}
