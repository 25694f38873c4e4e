using Google.Protobuf.Reflection;

namespace Tetragon.Docker.Events.Cel;

internal enum CelKind
{
    Dyn,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Timestamp,
    Duration,
    Message,
    List,
    Map,
}

/// <summary>A static CEL type: what type-checking knows of a subexpression (Dyn: known only when evaluated).</summary>
internal sealed class CelType
{
    private CelType(CelKind kind, MessageDescriptor? message = null, CelType? element = null, CelType? key = null)
    {
        Kind = kind;
        Message = message;
        Element = element;
        Key = key;
    }

    public static readonly CelType Dyn = new(CelKind.Dyn);
    public static readonly CelType Null = new(CelKind.Null);
    public static readonly CelType Bool = new(CelKind.Bool);
    public static readonly CelType Int = new(CelKind.Int);
    public static readonly CelType Uint = new(CelKind.Uint);
    public static readonly CelType Double = new(CelKind.Double);
    public static readonly CelType String = new(CelKind.String);
    public static readonly CelType Bytes = new(CelKind.Bytes);
    public static readonly CelType Timestamp = new(CelKind.Timestamp);
    public static readonly CelType Duration = new(CelKind.Duration);

    public CelKind Kind { get; }

    public MessageDescriptor? Message { get; }

    /// <summary>A list's elements, a map's values.</summary>
    public CelType? Element { get; }

    public CelType? Key { get; }

    public bool IsNumber => Kind is CelKind.Int or CelKind.Uint or CelKind.Double;

    public static CelType MessageOf(MessageDescriptor d) => new(CelKind.Message, d);

    public static CelType ListOf(CelType element) => new(CelKind.List, element: element);

    public static CelType MapOf(CelType key, CelType value) => new(CelKind.Map, element: value, key: key);

    /// <summary>The CEL type of a protobuf field: wrappers are their (nullable) primitive, enums are ints.</summary>
    public static CelType Of(FieldDescriptor f)
    {
        if (f.IsMap)
        {
            return MapOf(Of(f.MessageType.FindFieldByNumber(1)), Of(f.MessageType.FindFieldByNumber(2)));
        }

        var single = f.FieldType switch
        {
            FieldType.Bool => Bool,
            FieldType.Int32 or FieldType.Int64 or FieldType.SInt32 or FieldType.SInt64 or FieldType.SFixed32 or FieldType.SFixed64
                or FieldType.Enum => Int,
            FieldType.UInt32 or FieldType.UInt64 or FieldType.Fixed32 or FieldType.Fixed64 => Uint,
            FieldType.Float or FieldType.Double => Double,
            FieldType.String => String,
            FieldType.Bytes => Bytes,
            _ => OfMessage(f.MessageType),
        };
        return f.IsRepeated ? ListOf(single) : single;
    }

    private static CelType OfMessage(MessageDescriptor d) => d.FullName switch
    {
        "google.protobuf.BoolValue" => Bool,
        "google.protobuf.Int32Value" or "google.protobuf.Int64Value" => Int,
        "google.protobuf.UInt32Value" or "google.protobuf.UInt64Value" => Uint,
        "google.protobuf.FloatValue" or "google.protobuf.DoubleValue" => Double,
        "google.protobuf.StringValue" => String,
        "google.protobuf.BytesValue" => Bytes,
        "google.protobuf.Timestamp" => Timestamp,
        "google.protobuf.Duration" => Duration,
        _ => MessageOf(d),
    };

    public override string ToString() => Kind switch
    {
        CelKind.Message => Message!.FullName,
        CelKind.List => $"list({Element})",
        CelKind.Map => $"map({Key}, {Element})",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
