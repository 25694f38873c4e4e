namespace Tetragon.Docker.Policy.Plan;

/// <summary>matchArgs / matchReturnArgs operators (GT and LT are stored as GreaterThan and LessThan).</summary>
public enum FilterOperator
{
    Equal,
    NotEqual,
    Prefix,
    NotPrefix,
    Postfix,
    NotPostfix,
    Mask,
    GreaterThan,
    LessThan,
    SPort,
    NotSPort,
    SPortPriv,
    NotSPortPriv,
    DPort,
    NotDPort,
    DPortPriv,
    NotDPortPriv,
    SAddr,
    NotSAddr,
    DAddr,
    NotDAddr,
    Protocol,
    Family,
    State,
    InMap,
    NotInMap,
    CapabilitiesGained,
}
