using System;
using System.Text;

namespace Numerics;

public readonly struct Matrix : IEquatable<Matrix>
{
    private readonly double[,] _cells;

    public Matrix(int rows, int columns)
    {
        if (rows <= 0 || columns <= 0)
        {
            throw new ArgumentException("a matrix needs at least one row and one column");
        }
        _cells = new double[rows, columns];
    }

    public int Rows => _cells.GetLength(0);
    public int Columns => _cells.GetLength(1);

    public double this[int row, int column]
    {
        get => _cells[row, column];
        set => _cells[row, column] = value;
    }

    public static Matrix Identity(int size)
    {
        var result = new Matrix(size, size);
        for (var i = 0; i < size; i++)
        {
            result[i, i] = 1.0;
        }
        return result;
    }

    public static Matrix operator *(Matrix left, Matrix right)
    {
        if (left.Columns != right.Rows)
        {
            throw new InvalidOperationException("shapes do not match");
        }
        var result = new Matrix(left.Rows, right.Columns);
        for (var i = 0; i < left.Rows; i++)
        {
            for (var k = 0; k < left.Columns; k++)
            {
                var a = left[i, k];
                for (var j = 0; j < right.Columns; j++)
                {
                    result[i, j] += a * right[k, j];
                }
            }
        }
        return result;
    }

    public static Matrix operator +(Matrix left, Matrix right)
    {
        var result = new Matrix(left.Rows, left.Columns);
        for (var i = 0; i < left.Rows; i++)
        {
            for (var j = 0; j < left.Columns; j++)
            {
                result[i, j] = left[i, j] + right[i, j];
            }
        }
        return result;
    }

    public Matrix Transpose()
    {
        var result = new Matrix(Columns, Rows);
        for (var i = 0; i < Rows; i++)
        {
            for (var j = 0; j < Columns; j++)
            {
                result[j, i] = this[i, j];
            }
        }
        return result;
    }

    public bool Equals(Matrix other)
    {
        if (Rows != other.Rows || Columns != other.Columns)
        {
            return false;
        }
        for (var i = 0; i < Rows; i++)
        {
            for (var j = 0; j < Columns; j++)
            {
                if (Math.Abs(this[i, j] - other[i, j]) > 1e-12)
                {
                    return false;
                }
            }
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is Matrix other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Rows, Columns, this[0, 0]);

    public override string ToString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Rows; i++)
        {
            for (var j = 0; j < Columns; j++)
            {
                text.Append(j == 0 ? "" : " ").Append(this[i, j].ToString("F2"));
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
